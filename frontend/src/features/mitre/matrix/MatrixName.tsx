import { Mark } from "@mantine/core";
import { Fragment, type ReactNode } from "react";
import { breakParts, nameSegments } from "./nameSegments";

/**
 * A technique's name in a narrow matrix cell: the search's matches marked, and a line may break
 * after a slash or an underscore ("Virtualization/ Sandbox Evasion") or between the parts of a long CamelCase
 * token ("SyncAppv PublishingServer"), which a browser would otherwise keep on one line, as
 * wide as the whole column. `<wbr>` adds no text: the name read out and copied is unchanged.
 */
export function MatrixName({ name, highlight }: { name: string; highlight: string }) {
  return (
    <span>
      {nameSegments(name, highlight).map((segment, index) => {
        const text = withBreaks(segment.text);
        return segment.match ? (
          <Mark key={index}>{text}</Mark>
        ) : (
          <Fragment key={index}>{text}</Fragment>
        );
      })}
    </span>
  );
}

function withBreaks(text: string): ReactNode[] {
  return breakParts(text).flatMap((part, index) =>
    index === 0 ? [part] : [<wbr key={index} />, part],
  );
}
