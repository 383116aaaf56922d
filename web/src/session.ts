// The signed-in member of staff for this browser tab (sessionStorage: gone with the tab).
import { reactive } from "vue";

interface Member { staffId: string; name: string; site: string; department: string; windows: string[] }
interface Saved { token: string; role: string; expiresAt: string; member: Member }

const KEY = "hall.session";
const saved: Saved | null = JSON.parse(sessionStorage.getItem(KEY) || "null");

export const session = reactive({
  token: saved?.token ?? "",
  role: saved?.role ?? "",
  expiresAt: saved?.expiresAt ?? "",
  member: saved?.member ?? ({ staffId: "", name: "", site: "", department: "", windows: [] } as Member),
});

export function remember(s: Saved): void {
  Object.assign(session, s);
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function signOutLocally(): void {
  Object.assign(session, { token: "", role: "", expiresAt: "" });
  sessionStorage.removeItem(KEY);
  if (!location.pathname.startsWith("/login")) location.assign("/login");
}

export const HOME: Record<string, string> = {
  clerk: "/clerk", reviewer: "/reviewer", chief: "/reviewer", issuer: "/issuer",
  supervisor: "/supervisor", admin: "/admin",
};
