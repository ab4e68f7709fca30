-- The twin of remote_setup.lua: the spawn registers the server on node b
-- in its own step ({node = "b", register = "kv"}), so no request can be
-- sent to the name before it exists. dfs proves it: one schedule, no bug.
local ls = lockstep

local function server()
  while true do
    local m = ls.receive()
    ls.send(m.from, { "ok", m.n })
  end
end

ls.test("the first request is answered", function()
  ls.cluster.start_nodes({ "b" })
  ls.spawn_on({ node = "b", register = "kv" }, server)
  ls.send({ "kv", "b" }, { from = ls.self(), n = 1 })
  local reply = ls.receive()
  assert(reply[1] == "ok" and reply[2] == 1)
end)
