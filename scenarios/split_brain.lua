-- Failover with split brain: a primary on node a replicates to a replica on
-- node b, asynchronously. The replica monitors the primary and promotes
-- itself when the connection drops (DOWN, reason "noconnection"). A
-- partition between a and b leaves both accepting operations: a write
-- acknowledged by the old primary is missing on the new one, and a later
-- read there returns the old value. Clients on "main" reach both sides;
-- they record their operations in an ls.history, which
-- ls.checker.linearizable rejects.
--
-- The fixed twin (split_brain_fixed.lua) replicates every operation before
-- answering it, so a primary cut off from its replica commits nothing.
local ls = lockstep

-- A request with a reply, or nil after `timeout` ms.
local function request(server, req, timeout)
  local ref = ls.make_ref()
  ls.send(server, { req, ref, ls.self() })
  local m = ls.receive(function(m) return m[1] == ref end, timeout)
  if not m then ls.abandon_ref(ref) end
  return m and m[2]
end

local function server(role, peer)
  ls.label(role)
  local value = 0
  if role == "replica" then
    ls.monitor(peer)
  else
    peer = ls.receive(function(m) return m[1] == "peer" end)[2]  -- its replica
  end
  while true do
    local m = ls.receive()
    if m[1] == "DOWN" then
      role = "primary"                       -- failover
    elseif m[1] == "replicate" then
      value = m[2]
    elseif role ~= "primary" then
      ls.send(m[3], { m[2], "not_primary" })
    elseif m[1][1] == "write" then
      value = m[1][2]
      ls.send(m[3], { m[2], { "ok" } })      -- acknowledged ...
      if peer then ls.send(peer, { "replicate", value }) end  -- ... replicated later
    else
      ls.send(m[3], { m[2], { "ok", value } })
    end
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

ls.test("failover keeps the register linearizable", { strategy = "pct", iterations = 500 }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local h = ls.history.new()
  local primary = ls.spawn_on("a", server, "primary")
  local replica = ls.spawn_on("b", server, "replica", primary)
  ls.send(primary, { "peer", replica })
  local parent = ls.self()
  ls.spawn(function()  -- the nemesis
    ls.cluster.partition({ "a" }, { "b" })
  end)
  ls.spawn(function()
    for v = 1, 2 do pcall(h.op, h, "write", v, function() return db({ primary, replica }, { "write", v }) end) end
    ls.send(parent, "done")
  end)
  ls.spawn(function()
    for _ = 1, 2 do pcall(h.op, h, "read", nil, function() return db({ replica, primary }, { "read" }) end) end
    ls.send(parent, "done")
  end)
  ls.receive(); ls.receive()
  local ok, info = ls.checker.linearizable(h:events(), ls.model.register(0))
  if not ok then error(info.explanation, 0) end
end)
