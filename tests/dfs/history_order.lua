-- Two processes each record an invocation and its completion in one
-- ls.history. A checker reads real time from the history: which
-- completions come before which invocations. So two invocations commute,
-- as do two completions, and the six orders of the four events are three
-- classes: one process's operation before the other's (two ways), or the
-- two concurrent. A history kept in total order makes every order a class
-- of its own: six. tests/scenarios/dfs_cli_test.cc counts each against
-- every interleaving (--dpor none).
local ls = lockstep

local function case(name, options)
  ls.test(name, function()
    local h = ls.history.new(options)
    local me = ls.self()
    ls.spawn(function()
      h:invoke("write", 1)
      h:ok("write", 1)
      ls.send(me, "done")
    end)
    h:invoke("read")
    h:ok("read", 0)
    ls.receive()
    assert(#h:events() == 4)
  end)
end

case("real-time order", nil)
case("total order", { total_order = true })
