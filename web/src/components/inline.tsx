/** Prose from the analysis tables, where `backticks` mark commands and names: shown as code. */
export function Inline({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return <>{parts.map((p, i) => (i % 2 === 1 ? <code>{p}</code> : p))}</>;
}
