import { useEffect, useState } from "react";

type Health = { status: string };

// Placeholder shell until the SPA issue lands: proves the build and the API wiring work.
export function App() {
  const [health, setHealth] = useState<string>("checking…");

  useEffect(() => {
    fetch("/api/v1/diag/health")
      .then((response) => response.json() as Promise<Health>)
      .then((body) => setHealth(body.status))
      .catch(() => setHealth("unreachable"));
  }, []);

  return (
    <main>
      <h1>Violet</h1>
      <p>Purple-team operations mapped to MITRE ATT&amp;CK.</p>
      <p>
        API status: <strong data-testid="api-status">{health}</strong>
      </p>
    </main>
  );
}
