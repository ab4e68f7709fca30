-- What a killed process manages to send: nothing (killed before it ran),
-- its first message, or both; and the same for a process whose node stops.
-- One test per outcome, as in outcomes.lua: an exhaustive search must reach
-- every outcome random sampling reaches (a kill races with every step of
-- its victim).
local ls = lockstep
local function program()
  local root = ls.self()
  local p = ls.spawn(function() ls.send(root, "a"); ls.send(root, "b") end)
  ls.exit(p, "kill")
  local got = {}
  while true do
    local m = ls.receive(nil, 5)
    if m == nil then break end
    got[#got + 1] = m
  end
  return table.concat(got)
end
for _, x in ipairs({ "", "a", "ab" }) do
  ls.test("outcome is not [" .. x .. "]", function() assert(program() ~= x) end)
end
local function program2()
  ls.cluster.start_nodes({ "c" })
  local root = ls.self()
  ls.spawn_on("c", function() ls.send(root, "a"); ls.send(root, "b") end)
  ls.cluster.stop_node("c")
  local got = {}
  while true do
    local m = ls.receive(nil, 5)
    if m == nil then break end
    got[#got + 1] = m
  end
  return table.concat(got)
end
for _, x in ipairs({ "", "a", "ab" }) do
  ls.test("node: outcome is not [" .. x .. "]", function() assert(program2() ~= x) end)
end
