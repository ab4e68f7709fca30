-- Port of Concuerror's dpor_tests/src/POPL_optimal_example.erl: the example
-- of Abdulla et al., "Optimal Dynamic Partial Order Reduction" (POPL 2014).
-- The root blocks forever, so every schedule ends in a deadlock.
-- concuerror: 5 interleavings, 5 errors
local ls = lockstep

ls.test("POPL_optimal_example", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.ets.insert(t, { "z", 0 })
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function() ls.ets.insert(t, { "y", 1 }) end)
  ls.spawn(function()
    if ls.ets.lookup(t, "y")[1][2] == 0 then ls.ets.insert(t, { "z", 1 }) end
  end)
  ls.spawn(function()
    if ls.ets.lookup(t, "z")[1][2] == 1 then
      if ls.ets.lookup(t, "y")[1][2] == 0 then ls.ets.insert(t, { "x", 2 }) end
    end
  end)
  ls.receive()
end)
