-- A registry under a rest_for_one supervisor, killed while two workers
-- register with it and a client looks one up: every call is a message to
-- the registry's mailbox, and the kill races with each receive it may
-- replace with an exit. Stateless, the search counts 12,166 classes
-- (tests/scenarios/dfs_cli_test.cc). A receive the kill replaced, reversed
-- to run before the kill, is judged by the footprint of the receive
-- explored there (dfs.cc, insert_replacing_exit()); letting one that took a
-- message already queued stand for reversals whose sends to its mailbox
-- come first lost 6 of those classes.
local ls = lockstep

local function worker(key)
  return function()
    return ls.spawn_link(function()
      pcall(ls.registry.register, "pool_registry", key, "idle")
      ls.receive()
    end)
  end
end

ls.test("a registry killed while workers register and a client looks up", function()
  ls.supervisor.start({
    { id = "registry", start = function() return ls.registry.start_link({ keys = "unique" }, { name = "pool_registry" }) end },
    { id = "w1", start = worker("w1") },
    { id = "w2", start = worker("w2") },
  }, { strategy = "rest_for_one" })
  ls.spawn(function() ls.exit(ls.whereis("pool_registry"), "kill") end)
  ls.spawn(function() pcall(ls.registry.lookup, "pool_registry", "w1") end)
end)
