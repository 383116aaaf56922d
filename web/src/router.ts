import { createRouter, createWebHistory } from "vue-router";
import { session, HOME } from "./session";

const staffOnly = (roles: string[]) => ({ staff: true, roles });

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", redirect: () => HOME[session.role] ?? "/login" },
    { path: "/login", component: () => import("./views/SignIn.vue") },
    { path: "/clerk", component: () => import("./views/ClerkHome.vue"), meta: staffOnly(["clerk"]) },
    { path: "/reviewer", component: () => import("./views/ReviewerHome.vue"), meta: staffOnly(["reviewer", "chief"]) },
    { path: "/issuer", component: () => import("./views/IssuerHome.vue"), meta: staffOnly(["issuer"]) },
    { path: "/supervisor", component: () => import("./views/SupervisorHome.vue"), meta: staffOnly(["supervisor", "admin", "chief"]) },
    { path: "/admin", component: () => import("./views/AdminHome.vue"), meta: staffOnly(["admin"]) },
    { path: "/rate", component: () => import("./views/RatingPad.vue"), meta: staffOnly(["clerk"]) },
    // the call screen over the waiting area: no sign-in
    { path: "/screen/:site", component: () => import("./views/CallScreen.vue") },
    { path: "/:rest(.*)*", redirect: "/" },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.staff) return true;
  if (!session.token) return { path: "/login", query: { next: to.fullPath } };
  const roles = to.meta.roles as string[];
  if (!roles.includes(session.role)) return HOME[session.role] ?? "/login";
  return true;
});
