-- A set-up race between nodes: the client sends its first request to the
-- server by name ({name, node}) while the server registers that name in a
-- step of its own. A send to a name not registered yet is dropped, as in
-- Erlang, so in some schedules the request is lost and the client waits
-- for ever: a deadlock. remote_setup_fixed.lua registers the server in
-- the spawn's own step (docs/cluster.md, "Names").
local ls = lockstep

local function server()
  while true do
    local m = ls.receive()
    ls.send(m.from, { "ok", m.n })
  end
end

ls.test("the first request is answered", function()
  ls.cluster.start_nodes({ "b" })
  ls.spawn_on("b", function()
    ls.register("kv", ls.self())
    server()
  end)
  ls.send({ "kv", "b" }, { from = ls.self(), n = 1 })
  local reply = ls.receive()
  assert(reply[1] == "ok" and reply[2] == 1)
end)
