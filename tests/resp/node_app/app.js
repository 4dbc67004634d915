// A small Express app written the way apps are written against Redis:
// a visit counter, a key/value store, a tag set and a user hash. It talks
// to two Redis endpoints: `writer` for writes and `reader` for reads, which
// against parley are two different nodes of one fleet.
'use strict';

const express = require('express');

function createApp(writer, reader) {
  const app = express();
  app.use(express.json());

  app.post('/visit', async (req, res) => {
    res.json({ visits: await writer.incr('visits') });
  });
  app.get('/visits', async (req, res) => {
    res.json({ visits: Number((await reader.get('visits')) || 0) });
  });
  app.put('/kv/:key', async (req, res) => {
    await writer.set(req.params.key, String(req.body.value));
    res.json({ ok: true });
  });
  app.get('/kv/:key', async (req, res) => {
    res.json({ value: await reader.get(req.params.key) });
  });
  app.post('/tags/:tag', async (req, res) => {
    res.json({ added: await writer.sAdd('tags', req.params.tag) });
  });
  app.get('/tags', async (req, res) => {
    res.json({ tags: (await reader.sMembers('tags')).sort() });
  });
  app.put('/users/:id', async (req, res) => {
    await writer.hSet(`user:${req.params.id}`, req.body);
    res.json({ ok: true });
  });
  app.get('/users/:id', async (req, res) => {
    res.json(await reader.hGetAll(`user:${req.params.id}`));
  });
  // Two writes in one MULTI/EXEC, as node-redis's multi() sends them.
  app.post('/orders/:buyer', async (req, res) => {
    const [orders, newBuyer] = await writer.multi().incr('orders').sAdd('buyers', req.params.buyer).exec();
    res.json({ orders, newBuyer });
  });
  app.get('/orders', async (req, res) => {
    const orders = Number((await reader.get('orders')) || 0);
    res.json({ orders, buyers: (await reader.sMembers('buyers')).sort() });
  });
  return app;
}

module.exports = { createApp };
