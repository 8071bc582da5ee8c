// SPDX-License-Identifier: LGPL-2.1-or-later
// Forwards a request upstream without caching: mutable files (summary, refs, ...), HEAD requests,
// and immutable files once the server turned out to ignore Range. Failures before the response
// starts are retried here; a cut in the middle of the body is passed on to libostree as a cut.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { backoffDelay, sleep } from './backoff';
import type { RelayContext } from './context';
import { describeError, isRetryableStatus } from './context';
import { passedResponseHeaders, upstreamRequestHeaders } from './headers';
import { drained } from './serve';
import { StallWatchdog } from './watchdog';

export async function passThrough(
  ctx: RelayContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  label: string,
): Promise<void> {
  const method = request.method === 'HEAD' ? 'HEAD' : 'GET';
  const headers = upstreamRequestHeaders(request.headers, false);
  for (let failures = 0; ;) {
    if (ctx.signal.aborted) return void response.destroy();
    const controller = new AbortController();
    const onClose = () => controller.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onClose, { once: true });
    response.once('close', onClose);
    const watchdog = new StallWatchdog(ctx.retry.stallTimeoutMs, () =>
      controller.abort(new Error(`stalled: no data for ${ctx.retry.stallTimeoutMs} ms`)),
    );
    ctx.stats.attempts++;
    try {
      const upstream = await ctx.client.request(method, url, headers, controller.signal);
      watchdog.poke();
      const status = upstream.statusCode ?? 502;
      if (isRetryableStatus(status)) {
        upstream.resume();
        throw new Error(`server answered ${status}`);
      }
      response.writeHead(status, passedResponseHeaders(upstream.headers));
      for await (const chunk of upstream as AsyncIterable<Buffer>) {
        watchdog.poke();
        ctx.stats.upstreamBytes += chunk.length;
        ctx.onTransfer(chunk.length);
        ctx.stats.servedBytes += chunk.length;
        if (!response.write(chunk)) await drained(response);
      }
      response.end();
      return;
    } catch (err) {
      if (response.headersSent || ctx.signal.aborted || response.destroyed) {
        response.destroy();
        return;
      }
      failures++;
      ctx.log(`${label}: attempt failed: ${describeError(err)}`);
      if (failures >= ctx.retry.maxAttempts) {
        ctx.log(`${label}: giving up after ${failures} attempts`);
        response.writeHead(502).end();
        return;
      }
    } finally {
      watchdog.stop();
      ctx.signal.removeEventListener('abort', onClose);
      response.off('close', onClose);
    }
    try {
      await sleep(backoffDelay(failures, ctx.retry.backoff), ctx.signal);
    } catch {
      response.destroy();
      return;
    }
  }
}
