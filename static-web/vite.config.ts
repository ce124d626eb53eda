import { defineConfig } from 'vite';

// The app serves the built files from its wwwroot at "/" and under every "/s/{sub}/" prefix
// (the prefix is moved into PathBase), so assets use absolute "/assets/..." URLs and work on
// deep links such as /s/demo/rooms/123 too.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev` against `dotnet run --project functions`.
    proxy: {
      '/api': 'http://127.0.0.1:7071',
      '^/s/[^/]+/api': 'http://127.0.0.1:7071',
    },
  },
});
