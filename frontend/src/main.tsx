import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

// Replaced by the app shell in the next commit.
createRoot(document.getElementById("root")!).render(<StrictMode>Violet</StrictMode>);
