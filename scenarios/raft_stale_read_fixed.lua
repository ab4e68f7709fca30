-- A Raft-style leader that reads with a read index: the fixed twin of
-- raft_stale_read.lua. Before it answers a read, the leader asks its
-- followers to confirm that it still leads in its term, and answers only
-- once one of them (with itself, a majority of three) has. A leader cut off
-- by a partition cannot: its reader times out and asks the other servers,
-- one of which has been elected and knows the last committed write.
local ls = lockstep

local READ_INDEX = true

local NODES = { "a", "b", "c" }
local HEARTBEAT = 10        -- ms between a leader's heartbeats
local ELECTION = { a = 30, b = 30, c = 45 }  -- staggered, so elections settle
local RPC = 20              -- ms a server waits for its peers

-- A request with a reply, or nil after `timeout` ms.
local function request(server, req, timeout)
  local ref = ls.make_ref()
  ls.send(server, { req, ref, ls.self() })
  local m = ls.receive(function(m) return m[1] == ref end, timeout)
  if not m then ls.abandon_ref(ref) end
  return m and m[2]
end

-- Peers talk in rounds: a request is { kind, term, round, from, ... } and
-- its answer { answer, term, round }; "stale" carries a newer term.
local function server(me)
  ls.label("server")
  local peers = ls.receive(function(m) return m[1] == "peers" end)[2]
  local term, leader = 1, me == "a"
  local voted = {}                              -- term -> candidate
  local index, last_term, value = 0, 1, 0       -- the log: its length, last entry's term, state
  local round = 0

  local function ask(kind, ...)
    round = round + 1
    for _, p in ipairs(peers) do ls.send(p, { kind, term, round, ls.self(), ... }) end
    return round
  end
  -- Waits for one peer's answer to this round (with this server, a
  -- majority of three); a peer in a newer term makes it a follower.
  local function majority(answer, r)
    local asked = term
    local m = ls.receive(function(m)
      return (m[1] == answer and m[2] == asked and m[3] == r) or (m[1] == "stale" and m[2] > asked)
    end, RPC)
    if m and m[1] == "stale" then term, leader = m[2], false end
    return m ~= nil and m[1] == answer
  end

  while true do
    local m = ls.receive(nil, leader and HEARTBEAT or ELECTION[me])
    if m == nil and leader then
      ask("append", index, value, last_term)    -- heartbeat
    elseif m == nil then
      -- No heartbeat: stand for election in a new term.
      term = term + 1
      voted[term] = me
      if majority("granted", ask("vote?", last_term, index)) then
        leader = true
        ask("append", index, value, last_term)
      end
    elseif type(m[1]) == "string" and m[4] then -- a peer's request
      local kind, t, r, from = m[1], m[2], m[3], m[4]
      if t > term then term, leader = t, false end
      if t < term then
        ls.send(from, { "stale", term })
      elseif kind == "vote?" then
        local lt, li = m[5], m[6]
        if not voted[t] and (lt > last_term or (lt == last_term and li >= index)) then
          voted[t] = from
          ls.send(from, { "granted", t, r })
        end
      else                                      -- "append" or "confirm" from the leader of term t
        leader = false
        if kind == "append" then index, value, last_term = m[5], m[6], m[7] end
        ls.send(from, { kind == "append" and "ack" or "confirmed", t, r })
      end
    elseif type(m[1]) == "table" then           -- a client's request
      local req, ref, client = m[1], m[2], m[3]
      if not leader then
        ls.send(client, { ref, "not_leader" })
      elseif req[1] == "write" then
        if majority("ack", ask("append", index + 1, req[2], term)) then
          index, value, last_term = index + 1, req[2], term
          ls.send(client, { ref, { "ok" } })
        end                                     -- else: no answer, the client times out
      elseif not READ_INDEX then
        ls.send(client, { ref, { "ok", value } })  -- BUG: it may no longer lead
      elseif majority("confirmed", ask("confirm")) then
        ls.send(client, { ref, { "ok", value } })
      end
    end                                         -- late answers of earlier rounds: ignored
  end
end

-- Tries each server in turn; raising makes the history record "info" (the
-- operation may or may not have happened).
local function db(servers, req)
  for _, s in ipairs(servers) do
    local r = request(s, req, 50)
    if type(r) == "table" then return r[2] end
  end
  error("unavailable")
end

ls.test("reads see the last committed write", { faults = { partition = 1 }, strategy = "pct", iterations = 500 },
  function()
    ls.cluster.faults(false)  -- no faults while the servers start
    ls.cluster.start_nodes(NODES)
    local h = ls.history.new()
    local servers = {}
    for i, n in ipairs(NODES) do servers[i] = ls.spawn_on(n, server, n) end
    for i, s in ipairs(servers) do
      local peers = {}
      for j, p in ipairs(servers) do
        if j ~= i then peers[#peers + 1] = p end
      end
      ls.send(s, { "peers", peers })
    end
    local a, b, c = servers[1], servers[2], servers[3]
    local done = ls.ets.new("done", { access = "public" })  -- not a message: faults cannot lose it
    ls.ets.insert(done, { "clients", 0 })
    ls.spawn_on("b", function()
      ls.label("writer")
      for v = 1, 2 do pcall(h.op, h, "write", v, function() return db({ b, a, c }, { "write", v }) end) end
      ls.ets.update_counter(done, "clients", 1)
    end)
    ls.spawn_on("a", function()
      ls.label("reader")
      for _ = 1, 3 do
        ls.sleep(40)
        pcall(h.op, h, "read", nil, function() return db({ a, b, c }, { "read" }) end)
      end
      ls.ets.update_counter(done, "clients", 1)
    end)
    ls.cluster.faults(true)   -- the nemesis may cut a node off from here on
    while ls.ets.lookup_element(done, "clients", 2) < 2 do ls.sleep(10) end
    local ok, info = ls.checker.linearizable(h:events(), ls.model.register(0))
    if not ok then error(info.explanation, 0) end
  end)
