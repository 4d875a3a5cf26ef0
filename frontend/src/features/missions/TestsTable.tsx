import { Badge, Button, Menu, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useId, useRef, useState } from "react";
import type { KeyboardEvent, RefObject } from "react";
import { STATE_LABELS, TRANSITIONS } from "./api";
import type { Category, DetectionLevel, MissionTest, TestState } from "./api";
import { LevelLabel } from "./LevelLabel";
import { STATE_COLORS } from "./MissionProgress";
import classes from "./TestsTable.module.css";

const ROW_HEIGHT = 44;

/**
 * The mission's tests, virtualised: only the rows in view are in the DOM, so 500 tests scroll
 * as smoothly as 5. The table keeps its semantics (spacer rows fill the scrolled-away height).
 *
 * Keyboard: j / ArrowDown and k / ArrowUp move between tests (focus follows), Enter opens one.
 *
 * With `onChangeState` (red and the lead), a test's state is a menu of the moves it allows, so a
 * run of tests is started, handed to blue or cancelled without opening each one.
 *
 * Where its columns do not fit (a phone), the table scrolls sideways and says so above it.
 */
export function TestsTable({
  tests,
  levels,
  categories,
  activeIndex,
  onActiveIndexChange,
  onOpen,
  onChangeState,
  changingId,
}: {
  tests: MissionTest[];
  levels: Map<string, DetectionLevel>;
  /** The mission's live categories: a test in one shows its name. */
  categories: Map<string, Category>;
  activeIndex: number;
  onActiveIndexChange: (index: number) => void;
  onOpen: (test: MissionTest) => void;
  onChangeState?: (test: MissionTest, to: TestState) => void;
  /** The test whose state change is on its way. */
  changingId?: string | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const table = useRef<HTMLTableElement>(null);
  const scrollsSideways = useScrollsSideways(scroller, table);
  const hintId = useId();
  const virtualizer = useVirtualizer({
    count: tests.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const rows = virtualizer.getVirtualItems();
  const top = rows.length ? rows[0].start : 0;
  const bottom = rows.length ? virtualizer.getTotalSize() - rows[rows.length - 1].end : 0;

  // Focus follows the active test once its row is rendered. Focus already in that row (its
  // state menu) stays: the table re-renders whenever the tests are refreshed.
  useEffect(() => {
    const row = scroller.current?.querySelector(`[data-index="${activeIndex}"]`);
    const button = row?.querySelector<HTMLButtonElement>("button");
    const focused = document.activeElement;
    if (button && scroller.current?.contains(focused) && !row?.contains(focused)) button.focus();
  });

  const move = (delta: number) => {
    const next = Math.min(tests.length - 1, Math.max(0, activeIndex + delta));
    onActiveIndexChange(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
    requestAnimationFrame(() =>
      scroller.current?.querySelector<HTMLButtonElement>(`[data-index="${next}"] button`)?.focus(),
    );
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "j" || event.key === "ArrowDown") {
      event.preventDefault();
      move(1);
    } else if (event.key === "k" || event.key === "ArrowUp") {
      event.preventDefault();
      move(-1);
    }
  };

  return (
    <Stack gap={4}>
      {scrollsSideways && (
        <Text size="xs" c="gray.7" ta="right" id={hintId}>
          Scroll sideways for more columns.
        </Text>
      )}
      <div
        ref={scroller}
        className={classes.scroller}
        role="region"
        aria-label="Mission tests"
        aria-describedby={scrollsSideways ? hintId : undefined}
        onKeyDown={onKeyDown}
        data-testid="tests-table"
      >
        <Table ref={table} stickyHeader highlightOnHover aria-rowcount={tests.length + 1}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={56}>#</Table.Th>
              <Table.Th>Test</Table.Th>
              <Table.Th>ATT&CK</Table.Th>
              <Table.Th w={170}>State</Table.Th>
              <Table.Th w={170}>Detection</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {top > 0 && (
              <tr aria-hidden="true">
                <td colSpan={5} style={{ height: top, padding: 0, border: 0 }} />
              </tr>
            )}
            {rows.map((row) => {
              const test = tests[row.index];
              const active = row.index === activeIndex;
              return (
                <Table.Tr
                  key={test.id}
                  data-index={row.index}
                  data-testid="test-row"
                  aria-rowindex={row.index + 2}
                  className={active ? classes.active : undefined}
                  style={{ height: ROW_HEIGHT }}
                >
                  <Table.Td>{test.position + 1}</Table.Td>
                  <Table.Td>
                    <UnstyledButton
                      className={classes.name}
                      data-testid="test-name"
                      tabIndex={active ? 0 : -1}
                      onFocus={() => onActiveIndexChange(row.index)}
                      onClick={() => onOpen(test)}
                    >
                      {test.name}
                      {!test.is_latest && " (earlier run)"}
                    </UnstyledButton>
                    {test.category_id && categories.has(test.category_id) && (
                      <Badge
                        ml="xs"
                        size="sm"
                        variant="outline"
                        color="gray.7"
                        data-testid="category-badge"
                        styles={{ label: { color: "var(--mantine-color-black)" } }}
                      >
                        {categories.get(test.category_id)?.name}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {test.mitre
                      .filter((tag) => tag.kind !== "tactic")
                      .slice(0, 3)
                      .map((tag) => tag.external_id)
                      .join(", ") || "—"}
                  </Table.Td>
                  <Table.Td>
                    {onChangeState && TRANSITIONS[test.state as TestState].length > 0 ? (
                      <StateMenu
                        test={test}
                        tabIndex={active ? 0 : -1}
                        changing={changingId === test.id}
                        onChange={(to) => onChangeState(test, to)}
                      />
                    ) : (
                      <Badge
                        variant="light"
                        color={STATE_COLORS[test.state as TestState].split(".")[0]}
                        data-testid="state-chip"
                        styles={{ label: { color: "var(--mantine-color-black)" } }}
                      >
                        {STATE_LABELS[test.state as TestState]}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <LevelLabel
                      level={
                        test.detection_level_id ? levels.get(test.detection_level_id) : undefined
                      }
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {bottom > 0 && (
              <tr aria-hidden="true">
                <td colSpan={5} style={{ height: bottom, padding: 0, border: 0 }} />
              </tr>
            )}
          </Table.Tbody>
        </Table>
      </div>
    </Stack>
  );
}

/** Whether `scroller` is narrower than its `content`, as either is resized (a row that
 * scrolls into view can widen a column). */
function useScrollsSideways(
  scroller: RefObject<HTMLElement | null>,
  content: RefObject<HTMLElement | null>,
): boolean {
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const outer = scroller.current;
    const inner = content.current;
    if (!outer || !inner) return;
    const observer = new ResizeObserver(() => setScrolls(outer.scrollWidth > outer.clientWidth));
    observer.observe(outer);
    observer.observe(inner);
    return () => observer.disconnect();
  }, [scroller, content]);
  return scrolls;
}

/** The state as a button whose menu lists the moves the API allows from it. */
function StateMenu({
  test,
  tabIndex,
  changing,
  onChange,
}: {
  test: MissionTest;
  tabIndex: number;
  changing: boolean;
  onChange: (to: TestState) => void;
}) {
  const state = test.state as TestState;
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button
          size="compact-sm"
          variant="default"
          tabIndex={tabIndex}
          loading={changing}
          data-testid="state-chip"
          aria-label={`State of ${test.name}: ${STATE_LABELS[state]}. Change it`}
          rightSection={
            <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true">
              <path d="M1 3l4 4 4-4" stroke="currentColor" strokeWidth="1.5" fill="none" />
            </svg>
          }
        >
          {STATE_LABELS[state]}
        </Button>
      </Menu.Target>
      {/* The table moves between rows on the arrow keys; inside the menu they move between
          its items only. */}
      <Menu.Dropdown onKeyDown={(event) => event.stopPropagation()}>
        <Menu.Label>{test.name}</Menu.Label>
        {TRANSITIONS[state].map((transition) => (
          <Menu.Item key={transition.to} onClick={() => onChange(transition.to)}>
            {transition.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
