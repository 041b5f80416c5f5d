// A browser for the server-rendered pages over app.inject, reduced to what the pages need: a cookie jar (the session and
// CSRF cookies they set), one client address (the rate limits and sign-in throttle count per address), forms, file
// uploads as multipart, the CSRF token of a page's forms, and signing in with a web user's password (test/helpers/web.ts).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PASSWORD } from './web.js';

export class PageBrowser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly address = '10.0.0.1',
  ) {}

  private remember(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    for (const c of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const value = decodeURIComponent(pair!.slice(eq + 1));
      if (value === '' || /Max-Age=0/.test(c)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    payload?: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload }),
      remoteAddress: this.address,
      headers: { cookie: this.header(), ...headers },
    });
    this.remember(res);
    return res;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.send('GET', url);
  }

  /** A form as the browser posts it (urlencoded). */
  post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.send('POST', url, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /** A multipart form: its text fields (the CSRF token among them), then one text file. */
  upload(
    url: string,
    fields: Record<string, string>,
    file: { name: string; bytes: Buffer },
  ): Promise<LightMyRequestResponse> {
    const boundary = `----merzim${Date.now()}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(fields))
      parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/plain\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    );
    return this.send('POST', url, Buffer.concat(parts), {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
  }

  /** The CSRF token of the forms on `url`. */
  async csrf(url: string): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m === null) throw new Error(`no CSRF token on ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    return m[1]!;
  }

  /** Switches the signed-in user's page language (the form on the account page). */
  async language(lang: 'kk' | 'ru' | 'en'): Promise<void> {
    await this.post('/app/lang', { _csrf: await this.csrf('/app/account'), lang, next: '/app/account' });
  }

  /** Signs in with the web users' password; anything but the redirect to the user's page fails. */
  async signIn(username: string): Promise<this> {
    const res = await this.post('/app/sign-in', {
      _csrf: await this.csrf('/app/sign-in'),
      username,
      password: PASSWORD,
    });
    if (res.statusCode !== 303) throw new Error(`sign-in ${username}: ${res.statusCode}`);
    return this;
  }
}
