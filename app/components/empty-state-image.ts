/**
 * A small inline illustration for Polaris EmptyState, so empty pages need no CDN (the demo and
 * browser tests run offline).
 */
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="33" y="30" width="160" height="110" rx="10" fill="#f1f1f1" stroke="#c9cccf" stroke-width="2"/><rect x="53" y="55" width="80" height="10" rx="5" fill="#c9cccf"/><rect x="53" y="77" width="120" height="10" rx="5" fill="#e1e3e5"/><rect x="53" y="99" width="100" height="10" rx="5" fill="#e1e3e5"/><circle cx="178" cy="40" r="20" fill="#008060"/><path d="M170 40l6 6 11-12" stroke="#fff" stroke-width="4" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

export const EMPTY_STATE_IMAGE = `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
