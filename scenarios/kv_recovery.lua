-- A key-value store that recovers from its disk after a crash the
-- strategy places.
--
-- The store runs on node "store". The node's boot function
-- (ls.cluster.start_nodes's `boot` option) starts the server whenever the
-- node starts: at the beginning, and again after every restart. The server
-- loads what the disk kept, so recovery is ordinary code that every crash
-- exercises. The test gives the strategy one crash (faults = { crash = 1 });
-- which step it comes after is the strategy's choice, and a restart follows
-- it, sooner or later. The client sends each request a few times until a
-- reply comes (the node may be down, or its server not yet registered),
-- and checks that a write it was told is stored can be read back. A store
-- that never answers is unavailable, not wrong; the goal says that some
-- run read from a server that restarted after the write.
--
-- This server acknowledges a write before it syncs it: a crash between
-- the reply and the sync loses a write the client was told is stored. The
-- fixed twin (kv_recovery_fixed.lua) syncs first.
local ls = lockstep

local SYNC_FIRST = false

local function store(data)
  ls.disk.put("data", data)
  ls.disk.sync()
end

local function server()
  ls.label("kv")
  local data = ls.disk.get("data", {})  -- what survived the last crash
  ls.register("kv", ls.self())
  while true do
    local m = ls.receive()
    if m.op == "put" then
      data[m.key] = m.value
      if SYNC_FIRST then store(data) end
      ls.send(m.from, { ref = m.ref, ok = true, server = ls.self() })
      if not SYNC_FIRST then store(data) end
    elseif m.op == "get" then
      ls.send(m.from, { ref = m.ref, value = data[m.key], server = ls.self() })
    end
  end
end

-- Sends `msg` to the store until a reply comes, at most 5 times (nil:
-- none came). A request to a node that is down, or before its server has
-- registered, is lost; the reply to an earlier attempt that comes late is
-- told apart by its ref.
local function request(msg)
  for _ = 1, 5 do
    msg.ref = ls.make_ref()
    msg.from = ls.self()
    ls.send({ "kv", "store" }, msg)
    local reply = ls.receive(function(m) return m.ref == msg.ref end, 100)
    if reply then return reply end
  end
  return nil
end

ls.test("an acknowledged write survives a crash", { strategy = "pos", iterations = 500, faults = { crash = 1 } },
  function()
    ls.cluster.start_nodes({ "store" }, { boot = server })
    local put = request({ op = "put", key = "x", value = 1 })
    if not put then return end  -- never acknowledged: nothing to check
    local r = request({ op = "get", key = "x" })
    if not r then return end
    ls.sometimes("a read from a server restarted after the write", r.server ~= put.server)
    assert(r.value == 1, "an acknowledged write was lost: x is " .. tostring(r.value))
  end)
