// End-to-end check: starts the app on a free port with a writer client on
// parley node A (PARLEY_A_PORT) and a reader client on node B
// (PARLEY_B_PORT), drives it over HTTP, and waits until B's reads show A's
// writes. Prints "node app check: ok" and exits 0 on success.
'use strict';

const { createClient } = require('redis');
const { createApp } = require('./app');

const portA = Number(process.env.PARLEY_A_PORT);
const portB = Number(process.env.PARLEY_B_PORT);
if (!portA || !portB) {
  console.error('set PARLEY_A_PORT and PARLEY_B_PORT');
  process.exit(2);
}

async function eventually(what, fn, expected) {
  const deadline = Date.now() + 15000;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: expected ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)}`);
}

async function main() {
  const writer = createClient({ socket: { host: '127.0.0.1', port: portA } });
  const reader = createClient({ socket: { host: '127.0.0.1', port: portB } });
  for (const c of [writer, reader]) c.on('error', (e) => console.error('redis client error:', e.message));
  await writer.connect();
  await reader.connect();

  const server = createApp(writer, reader).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };

  for (let i = 1; i <= 5; i++) {
    const { visits } = await call('POST', '/visit');
    if (visits !== i) throw new Error(`visit ${i} returned ${visits}`);
  }
  await call('PUT', '/kv/treasure', { value: 'under the old oak' });
  await call('POST', '/tags/gold');
  await call('POST', '/tags/map');
  await call('PUT', '/users/7', { name: 'Ann', role: 'captain' });
  const orders = [];
  for (const buyer of ['ann', 'bob', 'ann']) orders.push(await call('POST', `/orders/${buyer}`));
  const expectedOrders = [{ orders: 1, newBuyer: 1 }, { orders: 2, newBuyer: 1 }, { orders: 3, newBuyer: 0 }];
  if (JSON.stringify(orders) !== JSON.stringify(expectedOrders)) {
    throw new Error(`MULTI/EXEC orders returned ${JSON.stringify(orders)}`);
  }

  await eventually('visits on node B', () => call('GET', '/visits'), { visits: 5 });
  await eventually('kv on node B', () => call('GET', '/kv/treasure'), { value: 'under the old oak' });
  await eventually('tags on node B', () => call('GET', '/tags'), { tags: ['gold', 'map'] });
  await eventually('user on node B', () => call('GET', '/users/7'), { name: 'Ann', role: 'captain' });
  await eventually('orders on node B', () => call('GET', '/orders'), { orders: 3, buyers: ['ann', 'bob'] });

  server.close();
  await writer.quit();
  await reader.quit();
  console.log('node app check: ok');
}

main().catch((e) => {
  console.error('node app check: FAILED:', e.message);
  process.exit(1);
});
