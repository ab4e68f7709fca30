-- Race rules of ets.update_element, ets.first and ets.next under dfs
-- (tests/scenarios/dfs_cli_test.cc): update_element writes one key;
-- first and next read the table's key set.
local ls = lockstep
local ets = ls.ets

local function table_with(rows)
  local t = ets.new("t", { access = "public" })
  ets.insert(t, rows)
  return t
end

local function both(a, b)
  local done = {}
  local me = ls.self()
  ls.spawn(function() a(); ls.send(me, "a") end)
  ls.spawn(function() b(); ls.send(me, "b") end)
  ls.receive(); ls.receive()
end

ls.test("update_element on two keys", function()
  local t = table_with({ { "x", 0 }, { "y", 0 } })
  both(function() ets.update_element(t, "x", { 2, 1 }) end, function() ets.update_element(t, "y", { 2, 1 }) end)
end)

ls.test("update_element on one key", function()
  local t = table_with({ { "x", 0 } })
  both(function() ets.update_element(t, "x", { 2, 1 }) end, function() ets.update_element(t, "x", { 2, 2 }) end)
end)

ls.test("update_element and a lookup of another key", function()
  local t = table_with({ { "x", 0 }, { "y", 0 } })
  both(function() ets.update_element(t, "x", { 2, 1 }) end, function() ets.lookup(t, "y") end)
end)

ls.test("first and next against an insert", function()
  local t = table_with({ { "x", 0 } })
  both(function() ets.next(t, ets.first(t)) end, function() ets.insert(t, { "y", 0 }) end)
end)

ls.test("first and next against a lookup", function()
  local t = table_with({ { "x", 0 } })
  both(function() ets.next(t, ets.first(t)) end, function() ets.lookup(t, "x") end)
end)
