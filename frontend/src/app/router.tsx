/**
 * Routes. Every page is its own chunk (lazy) so the first page downloads only the shell and
 * itself; `bench/spa_budget.py` keeps the first page's gzipped JS under 250 KB. The page for the
 * URL the app opens on is preloaded at start-up, in parallel with restoring the session.
 */
import { Suspense } from "react";
import type { ReactNode } from "react";
import { createBrowserRouter, matchRoutes } from "react-router";
import type { RouteObject } from "react-router";
import { RequireAuth } from "../features/auth/RequireAuth";
import { RequirePermission } from "../features/auth/RequirePermission";
import { Layout } from "./Layout";
import { type LazyPage, lazyPage } from "./lazyPage";
import { PageLoader } from "./PageLoader";

const SignInPage = lazyPage(() => import("../features/auth/SignInPage"));
const AcceptInvitationPage = lazyPage(() => import("../features/auth/AcceptInvitationPage"));
const HomePage = lazyPage(() => import("../features/home/HomePage"));
const MatrixPage = lazyPage(() => import("../features/mitre/matrix/MatrixPage"));
const MitreSyncPage = lazyPage(() => import("../features/mitre/sync/MitreSyncPage"));
const InvitationsPage = lazyPage(() => import("../features/admin/InvitationsPage"));
const UsersPage = lazyPage(() => import("../features/admin/UsersPage"));
const GroupsPage = lazyPage(() => import("../features/admin/GroupsPage"));
const SettingsPage = lazyPage(() => import("../features/settings/SettingsPage"));
const AccountPage = lazyPage(() => import("../features/account/AccountPage"));
const LibraryPage = lazyPage(() => import("../features/library/LibraryPage"));
const ScenariosPage = lazyPage(() => import("../features/scenarios/ScenariosPage"));
const ScenarioPage = lazyPage(() => import("../features/scenarios/ScenarioPage"));
const WorkspacesPage = lazyPage(() => import("../features/workspaces/WorkspacesPage"));
const MissionsPage = lazyPage(() => import("../features/missions/MissionsPage"));
const MissionPage = lazyPage(() => import("../features/missions/MissionPage"));
const CoveragePage = lazyPage(() => import("../features/coverage/CoveragePage"));
const ComparePage = lazyPage(() => import("../features/coverage/ComparePage"));
const GroupCoveragePage = lazyPage(() => import("../features/coverage/GroupCoveragePage"));
const DetectionLevelsPage = lazyPage(() => import("../features/admin/DetectionLevelsPage"));
const DefenseToolsPage = lazyPage(() => import("../features/admin/DefenseToolsPage"));
const AuditPage = lazyPage(() => import("../features/audit/AuditPage"));
const NotFoundPage = lazyPage(() => import("./NotFoundPage"));

const anonymous = (page: ReactNode) => <Suspense fallback={<PageLoader />}>{page}</Suspense>;
const preloads = (page: LazyPage) => ({ preload: page.preload });

const routes: RouteObject[] = [
  { path: "/sign-in", element: anonymous(<SignInPage />), handle: preloads(SignInPage) },
  {
    path: "/accept-invitation",
    element: anonymous(<AcceptInvitationPage />),
    handle: preloads(AcceptInvitationPage),
  },
  {
    path: "/",
    element: (
      <RequireAuth>
        <Layout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomePage />, handle: preloads(HomePage) },
      { path: "matrix", element: <MatrixPage />, handle: preloads(MatrixPage) },
      { path: "account", element: <AccountPage />, handle: preloads(AccountPage) },
      { path: "missions", element: <MissionsPage />, handle: preloads(MissionsPage) },
      { path: "missions/:missionId", element: <MissionPage />, handle: preloads(MissionPage) },
      { path: "coverage", element: <CoveragePage />, handle: preloads(CoveragePage) },
      { path: "coverage/compare", element: <ComparePage />, handle: preloads(ComparePage) },
      {
        path: "coverage/groups",
        element: <GroupCoveragePage />,
        handle: preloads(GroupCoveragePage),
      },
      {
        path: "admin/detection-levels",
        element: (
          <RequirePermission permission="settings.manage">
            <DetectionLevelsPage />
          </RequirePermission>
        ),
        handle: preloads(DetectionLevelsPage),
      },
      {
        path: "admin/defense-tools",
        element: (
          <RequirePermission permission="settings.manage">
            <DefenseToolsPage />
          </RequirePermission>
        ),
        handle: preloads(DefenseToolsPage),
      },
      {
        path: "library",
        element: (
          <RequirePermission permission="test_template.read">
            <LibraryPage />
          </RequirePermission>
        ),
        handle: preloads(LibraryPage),
      },
      {
        path: "scenarios",
        element: (
          <RequirePermission permission="scenario_template.read">
            <ScenariosPage />
          </RequirePermission>
        ),
        handle: preloads(ScenariosPage),
      },
      {
        path: "scenarios/:scenarioId",
        element: (
          <RequirePermission permission="scenario_template.read">
            <ScenarioPage />
          </RequirePermission>
        ),
        handle: preloads(ScenarioPage),
      },
      {
        path: "admin/mitre",
        element: (
          <RequirePermission permission="mitre.sync">
            <MitreSyncPage />
          </RequirePermission>
        ),
        handle: preloads(MitreSyncPage),
      },
      {
        path: "admin/workspaces",
        element: (
          <RequirePermission permission="workspace.manage">
            <WorkspacesPage />
          </RequirePermission>
        ),
        handle: preloads(WorkspacesPage),
      },
      {
        path: "admin/invitations",
        element: (
          <RequirePermission permission="invitation.manage">
            <InvitationsPage />
          </RequirePermission>
        ),
        handle: preloads(InvitationsPage),
      },
      {
        path: "admin/users",
        element: (
          <RequirePermission permission="user.read">
            <UsersPage />
          </RequirePermission>
        ),
        handle: preloads(UsersPage),
      },
      {
        path: "admin/groups",
        element: (
          <RequirePermission permission="user.read">
            <GroupsPage />
          </RequirePermission>
        ),
        handle: preloads(GroupsPage),
      },
      { path: "admin/settings", element: <SettingsPage />, handle: preloads(SettingsPage) },
      {
        path: "admin/audit",
        element: (
          <RequirePermission permission="audit.read">
            <AuditPage />
          </RequirePermission>
        ),
        handle: preloads(AuditPage),
      },
      { path: "*", element: <NotFoundPage />, handle: preloads(NotFoundPage) },
    ],
  },
];

/** Fetch the chunk of the page at `location` (call once, before the first render). */
export function preloadPageAt(location: Location): void {
  for (const match of matchRoutes(routes, location) ?? []) {
    const handle = match.route.handle as { preload?: () => Promise<unknown> } | undefined;
    handle?.preload?.().catch(() => undefined); // a failed preload is retried by the render
  }
}

export const router = createBrowserRouter(routes);
