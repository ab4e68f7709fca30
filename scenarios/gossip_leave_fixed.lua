-- Gossip membership that survives a lost `leave` (the twin of gossip_leave.lua).
--
-- The leaver retransmits its `leave` every 50 ms to each member that has
-- not acknowledged it; members acknowledge every copy. One dropped
-- message (the budget) delays the leave but cannot lose it.
local ls = lockstep

local RETRANSMIT = true

local NODES = { "a", "b", "c" }

-- Each member publishes its view in a table the test reads (an observer,
-- not part of the protocol: reading it sends no message).
local function member(views)
  ls.label("member")
  local view = { a = true, b = true, c = true }
  local function publish()
    local names = {}
    for _, n in ipairs(NODES) do
      if view[n] then names[#names + 1] = n end
    end
    ls.ets.insert(views, { ls.node(), table.concat(names, ",") })
  end
  publish()
  while true do
    local m = ls.receive()
    if m.leave then
      view[m.leave] = nil
      publish()
      if RETRANSMIT then ls.send(m.from, { ack = ls.node() }) end
    end
  end
end

local function leaver(peers, views)
  ls.label("leaver")
  local waiting = {}
  for node, pid in pairs(peers) do
    waiting[node] = pid
    ls.send(pid, { leave = "c", from = ls.self() })
  end
  if RETRANSMIT then
    while next(waiting) do
      local m = ls.receive(50)
      if m and m.ack then
        waiting[m.ack] = nil
      elseif not m then  -- no answer in time: tell whoever has not answered again
        for _, pid in pairs(waiting) do ls.send(pid, { leave = "c", from = ls.self() }) end
      end
    end
  end
  ls.ets.insert(views, { "left", true })
end

ls.test("every member forgets a node that left", { faults = { drop = 1 }, strategy = "pct", iterations = 300 },
  function()
    ls.cluster.faults(false)  -- no faults while the members start
    ls.cluster.start_nodes(NODES)
    local views = ls.ets.new("views", { access = "public" })
    local peers = { a = ls.spawn_on("a", member, views), b = ls.spawn_on("b", member, views) }
    ls.spawn_on("c", leaver, peers, views)
    ls.cluster.faults(true)
    while not ls.ets.member(views, "left") do ls.sleep(10) end
    ls.sleep(1000)  -- whatever is still in flight lands (time moves only when nothing else can run)
    for _, node in ipairs({ "a", "b" }) do
      local view = ls.ets.lookup_element(views, node, 2)
      if view:find("c") then error("node " .. node .. " still lists c after it left: {" .. view .. "}", 0) end
    end
  end)
