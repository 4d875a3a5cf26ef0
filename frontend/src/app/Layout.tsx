import {
  AppShell,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useDisclosure, useWindowEvent } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { Suspense, useRef } from "react";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import type { PermissionCode } from "../api/types";
import { useAuth } from "../features/auth/AuthProvider";
import { WorkspaceSwitcher } from "../features/workspaces/WorkspaceSwitcher";
import { NotificationBell } from "../features/notifications/NotificationBell";
import { fetchSettings, settingsQueryKey } from "../features/settings/api";
import { PageLoader } from "./PageLoader";
import classes from "./Layout.module.css";

/** The `organisation_name` setting beside the brand, when an administrator has set it (a
 * save on the settings page refreshes it: same query). Hidden on a phone, where space is short. */
function OrganisationName() {
  const settings = useQuery({
    queryKey: settingsQueryKey,
    queryFn: fetchSettings,
    staleTime: 5 * 60_000,
  });
  const name = settings.data?.find((setting) => setting.key === "organisation_name")?.value;
  if (typeof name !== "string" || !name.trim()) return null;
  return (
    <Text
      size="sm"
      fw={600}
      truncate="end"
      visibleFrom="sm"
      className={classes.organisation}
      data-testid="organisation-name"
    >
      {name}
    </Text>
  );
}

interface NavItem {
  to: string;
  label: string;
  permission?: PermissionCode;
}

const NAV_SECTIONS: { label?: string; items: NavItem[] }[] = [
  {
    items: [
      { to: "/", label: "Home" },
      { to: "/missions", label: "Missions" },
      { to: "/coverage", label: "Coverage" },
      { to: "/matrix", label: "ATT&CK matrix" },
      { to: "/library", label: "Test library", permission: "test_template.read" },
      { to: "/scenarios", label: "Scenarios", permission: "scenario_template.read" },
    ],
  },
  {
    label: "Admin",
    items: [
      { to: "/admin/workspaces", label: "Workspaces", permission: "workspace.manage" },
      { to: "/admin/mitre", label: "MITRE sync", permission: "mitre.sync" },
      { to: "/admin/users", label: "Users", permission: "user.read" },
      { to: "/admin/groups", label: "Groups", permission: "user.read" },
      { to: "/admin/invitations", label: "Invitations", permission: "invitation.manage" },
      { to: "/admin/settings", label: "Settings", permission: "settings.manage" },
      { to: "/admin/detection-levels", label: "Detection levels", permission: "settings.manage" },
      { to: "/admin/defense-tools", label: "Defense tools", permission: "settings.manage" },
      { to: "/admin/audit", label: "Audit trail", permission: "audit.read" },
    ],
  },
];

const NAVIGATION_ID = "main-navigation";

/** The signed-in frame: header with the user menu, navigation filtered by permission, page. */
export function Layout() {
  const [navOpen, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const burger = useRef<HTMLButtonElement>(null);
  // On a phone the navigation covers the page: Escape closes it, and the focus goes back to the
  // burger when it was in the navigation (or nowhere), not when it is in a dialog, say.
  useWindowEvent("keydown", (event) => {
    if (!navOpen || event.key !== "Escape") return;
    closeNav();
    const focused = document.activeElement;
    const inNavigation =
      !focused || focused === document.body || !!focused.closest(`#${NAVIGATION_ID}`);
    if (inNavigation || focused === burger.current) burger.current?.focus();
  });

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <a className={classes.skipLink} href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" gap="xs" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" className={classes.headerStart}>
            <Burger
              ref={burger}
              opened={navOpen}
              onClick={toggleNav}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
              aria-expanded={navOpen}
              aria-controls={NAVIGATION_ID}
            />
            <UnstyledButton component={Link} to="/" className={classes.brand}>
              Violet
            </UnstyledButton>
            <OrganisationName />
            <WorkspaceSwitcher />
          </Group>
          <Group gap={4} wrap="nowrap" className={classes.headerEnd}>
            <NotificationBell />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar id={NAVIGATION_ID} p="xs" aria-label="Main navigation" component="nav">
        <Navigation onNavigate={closeNav} />
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

function Navigation({ onNavigate }: { onNavigate: () => void }) {
  const { can } = useAuth();
  const { pathname } = useLocation();

  return NAV_SECTIONS.map((section) => {
    const items = section.items.filter((item) => !item.permission || can(item.permission));
    if (items.length === 0) return null;
    return (
      <div key={section.label ?? "main"} className={classes.section}>
        {section.label && (
          <Text size="xs" fw={700} c="gray.7" tt="uppercase" px="sm" py={4}>
            {section.label}
          </Text>
        )}
        {items.map((item) => {
          const active = item.to === "/" ? pathname === "/" : pathname.startsWith(item.to);
          return (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              active={active}
              className={classes.navLink}
              aria-current={active ? "page" : undefined}
              onClick={onNavigate}
            />
          );
        })}
      </div>
    );
  });
}

function UserMenu() {
  const { me, signOut } = useAuth();
  const navigate = useNavigate();
  const name = me?.display_name || me?.email || "Account";

  const signOutAndLeave = async () => {
    await signOut().catch(() => undefined);
    navigate("/sign-in", { replace: true });
  };

  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          px="xs"
          data-testid="user-menu"
          leftSection={<PersonIcon />}
          classNames={{ section: classes.userIcon }}
        >
          {/* On a phone only the icon shows; the name stays the button's name. */}
          <span className={classes.wideOnly}>{name}</span>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me?.email}</Menu.Label>
        <Menu.Item component={Link} to="/account">
          Account
        </Menu.Item>
        <Menu.Item onClick={signOutAndLeave}>Sign out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function PersonIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none">
      <path
        d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9Zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5Z"
        fill="currentColor"
      />
    </svg>
  );
}
