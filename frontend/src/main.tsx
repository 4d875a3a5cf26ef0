/**
 * Violet's SPA. Layout of src/:
 *   api/       generated OpenAPI types (schema.d.ts), the typed clients, the token session
 *   app/       providers, router, layout and shared bits (error alert, loaders)
 *   features/  one folder per feature: auth, home, mitre (matrix, sync) …
 */
import "@mantine/core/styles.css";
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { ApiError } from "./api/problem";
import { preloadPageAt, router } from "./app/router";
import { cssVariablesResolver, theme } from "./app/theme";
import { AuthProvider } from "./features/auth/AuthProvider";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not change by asking again; network blips and 5xx may.
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
  },
});

preloadPageAt(window.location);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
