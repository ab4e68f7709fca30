-- A server on another node, reached by its name: registering it in a
-- step of its own races with the first message sent to the name (a send
-- to {name, node} that is not registered yet is dropped, as in Erlang);
-- registering it in the spawn's own step leaves no such race.
local ls = lockstep

local function serve()
  local m = ls.receive()
  ls.send(m.from, "pong")
end

ls.test("the server registers itself", function()
  ls.cluster.start_nodes({ "b" })
  ls.spawn_on("b", function()
    ls.register("srv", ls.self())
    serve()
  end)
  ls.send({ "srv", "b" }, { from = ls.self() })
  assert(ls.receive() == "pong")
end)

ls.test("the spawn registers it", function()
  ls.cluster.start_nodes({ "b" })
  ls.spawn_on({ node = "b", register = "srv" }, serve)
  ls.send({ "srv", "b" }, { from = ls.self() })
  assert(ls.receive() == "pong")
end)
