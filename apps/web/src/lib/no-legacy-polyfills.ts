// Stands in for Next's built-in polyfills in the browser bundle (see next.config.ts): every
// browser Next 16 supports has these features natively.
export {};
