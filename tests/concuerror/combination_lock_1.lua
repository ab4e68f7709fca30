-- Port of Concuerror's dpor_tests/src/combination_lock_1.erl: the read of z
-- happens only when four conditional writes line up.
-- concuerror: 6 interleavings, 6 errors
local ls = lockstep

ls.test("combination_lock_1", function()
  local t = ls.ets.new("table", { access = "public" })
  for _, k in ipairs({ "v", "w", "x", "y", "z" }) do ls.ets.insert(t, { k, 0 }) end
  ls.spawn(function() ls.ets.insert(t, { "z", 1 }) end)
  ls.spawn(function()
    ls.ets.insert(t, { "x", 1 })
    ls.ets.insert(t, { "a", 1 })
    if ls.ets.lookup(t, "y")[1][2] == 1 then
      ls.ets.insert(t, { "w", 1 })
      ls.ets.insert(t, { "b", 0 })
    end
  end)
  ls.spawn(function()
    if ls.ets.lookup(t, "x")[1][2] == 1 then
      ls.ets.insert(t, { "y", 1 })
      ls.ets.insert(t, { "c", 0 })
      if ls.ets.lookup(t, "v")[1][2] == 1 then ls.ets.lookup(t, "z") end
    end
  end)
  ls.spawn(function()
    if ls.ets.lookup(t, "w")[1][2] == 1 then
      ls.ets.insert(t, { "v", 1 })
      ls.ets.insert(t, { "d", 0 })
    end
  end)
  ls.receive()
end)
