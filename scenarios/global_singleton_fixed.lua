-- The fixed twin of global_singleton.lua: IDs qualified by their node.
--
-- A partition can always leave two allocators, one on each side, however
-- the singleton is registered: each ID carries the node that allocated it
-- ("a-1", "b-1"), so the two never hand out the same one. On heal ls.global
-- keeps one of them.
local ls = lockstep

local function allocator()
  ls.label("ids")
  local next_id = 1
  while true do
    local m = ls.receive()
    ls.send(m[2], { m[1], ls.node() .. "-" .. next_id })
    next_id = next_id + 1
  end
end

local function watchdog()
  if ls.global.whereis_name("ids") == nil then
    local p = ls.spawn(allocator)
    if not ls.global.register_name("ids", p) then ls.exit(p, "kill") end
  end
end

local function client(parent)
  ls.sleep(10)  -- after the watchdogs
  local ref = ls.make_ref()
  ls.global.send("ids", { ref, ls.self() })
  local m = ls.receive(function(m) return m[1] == ref end)
  ls.send(parent, m[2])
end

ls.test("every ID is handed out once", { strategy = "pct", iterations = 2000 }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local parent = ls.self()
  for _, n in ipairs({ "a", "b" }) do
    ls.spawn_on(n, watchdog)
    ls.spawn_on(n, client, parent)
  end
  ls.spawn(function() ls.cluster.partition({ "a" }, { "b", "main" }) end)  -- the nemesis
  ls.sleep(20)
  ls.cluster.heal()
  local first, second = ls.receive(), ls.receive()
  ls.sleep(1)
  assert(ls.global.whereis_name("ids") ~= nil, "one allocator survives the heal")
  if first == second then error("ID " .. tostring(first) .. " was handed out twice", 0) end
end)
