// Shared by the server guard and the browser: keep server-only modules out of this file.
export const CSRF_COOKIE = "switchyard_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";
