-- Port of Concuerror's dpor_tests/src/sleeping_races_1.erl: a race that
-- only exists in schedules where x was written first.
-- concuerror: 3 interleavings, 3 errors
local ls = lockstep

ls.test("sleeping_races_1", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.spawn(function() ls.ets.insert(t, { "y", 1 }) end)
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function()
    if ls.ets.lookup(t, "x")[1][2] == 1 then ls.ets.lookup(t, "y") end
  end)
  ls.receive()
end)
