import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// The console is served by the gateway's HTTP port (same origin as its Connect API);
// `npm run dev` proxies the API to a running hall (HALL_WEB, default make run's port).
const api = process.env.HALL_WEB || "http://127.0.0.1:7102";

export default defineConfig({
  plugins: [vue()],
  build: { chunkSizeWarningLimit: 2000 },
  server: { proxy: { "^/hall\\.v1\\.": api } },
});
