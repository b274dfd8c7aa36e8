// Stylesheets are imported for their side effect; the bundler, not TypeScript, resolves them.
declare module "*.css";
