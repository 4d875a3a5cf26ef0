/** A colour's square beside the text that names it (hidden from screen readers: the text says
 * it). The grey border keeps a light colour visible on white. */
export function Swatch({ color, size = 12 }: { color: string; size?: number }) {
  return (
    <span
      aria-hidden="true"
      style={{
        display: "inline-block",
        flex: "none",
        width: size,
        height: size,
        borderRadius: 3,
        background: color,
        border: "1px solid #868e96",
      }}
    />
  );
}
