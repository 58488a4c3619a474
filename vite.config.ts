import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

declare module "@remix-run/cloudflare" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      // BUILD_DIR lets a developer build elsewhere while another build runs (tests read the same).
      buildDirectory: process.env.BUILD_DIR ?? "build",
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  // d3's many small ES modules are bundled into the server build: left external, the
  // workerd test pool fetched them one by one and failed ("Message is too large").
  ssr: { noExternal: [/^d3-/, "internmap"] },
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./app", import.meta.url)),
      "@workers": fileURLToPath(new URL("./workers", import.meta.url)),
    },
  },
});
