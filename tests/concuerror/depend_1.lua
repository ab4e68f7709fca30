-- Port of Concuerror's dpor_tests/src/depend_1.erl: readers whose later
-- reads depend on what their earlier reads saw.
-- concuerror: 12 interleavings, 12 errors
local ls = lockstep

ls.test("depend_1", function()
  local t = ls.ets.new("table", { access = "public" })
  ls.ets.insert(t, { "x", 0 })
  ls.ets.insert(t, { "y", 0 })
  ls.ets.insert(t, { "z", 0 })
  ls.spawn(function() ls.ets.insert(t, { "z", 1 }) end)
  ls.spawn(function() ls.ets.insert(t, { "x", 1 }) end)
  ls.spawn(function() ls.ets.insert(t, { "y", 1 }) end)
  ls.spawn(function()
    if ls.ets.lookup(t, "x")[1][2] == 1 then
      if ls.ets.lookup(t, "y")[1][2] == 1 then ls.ets.lookup(t, "z") end
    end
  end)
  ls.spawn(function()
    if ls.ets.lookup(t, "y")[1][2] == 1 then ls.ets.lookup(t, "z") end
  end)
  ls.receive()
end)
