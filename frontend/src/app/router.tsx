/**
 * Routes. Every page is its own chunk (React.lazy) so the first page downloads only the shell
 * and itself; `bench/spa_budget.py` keeps the first page's gzipped JS under 250 KB.
 */
import { lazy, Suspense } from "react";
import type { ReactNode } from "react";
import { createBrowserRouter } from "react-router";
import { RequireAuth } from "../features/auth/RequireAuth";
import { RequirePermission } from "../features/auth/RequirePermission";
import { Layout } from "./Layout";
import { PageLoader } from "./PageLoader";

const SignInPage = lazy(() => import("../features/auth/SignInPage"));
const AcceptInvitationPage = lazy(() => import("../features/auth/AcceptInvitationPage"));
const HomePage = lazy(() => import("../features/home/HomePage"));
const MatrixPage = lazy(() => import("../features/mitre/matrix/MatrixPage"));
const MitreSyncPage = lazy(() => import("../features/mitre/sync/MitreSyncPage"));
const NotFoundPage = lazy(() => import("./NotFoundPage"));

const anonymous = (page: ReactNode) => <Suspense fallback={<PageLoader />}>{page}</Suspense>;

export const router = createBrowserRouter([
  { path: "/sign-in", element: anonymous(<SignInPage />) },
  { path: "/accept-invitation", element: anonymous(<AcceptInvitationPage />) },
  {
    path: "/",
    element: (
      <RequireAuth>
        <Layout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomePage /> },
      { path: "matrix", element: <MatrixPage /> },
      {
        path: "admin/mitre",
        element: (
          <RequirePermission permission="mitre.sync">
            <MitreSyncPage />
          </RequirePermission>
        ),
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
