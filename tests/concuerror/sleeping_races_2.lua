-- Port of Concuerror's dpor_tests/src/sleeping_races_2.erl: as
-- sleeping_races_1, with the reader also writing y first.
-- concuerror: 5 interleavings, 5 errors
local ls = lockstep

ls.test("sleeping_races_2", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.spawn(function() ls.ets.insert(t, { "y", 1 }) end)
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function()
    ls.ets.insert(t, { "y", 2 })
    if ls.ets.lookup(t, "x")[1][2] == 1 then ls.ets.lookup(t, "y") end
  end)
  ls.receive()
end)
