/** Builds the links account mail carries: the page at `base` with the token as the `token` query parameter. */

/** `base` with `?token=…` set (replacing any token already there). */
export function accountLink(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  return url.toString();
}
