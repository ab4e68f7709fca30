-- Two-phase commit whose coordinator crashes and recovers from its disk.
--
-- The coordinator on node c asks the participants on p1 and p2 to prepare,
-- decides "commit", and tells them. A nemesis stops node c at some point and
-- starts it again; the new coordinator reads its decision from ls.disk and
-- finishes the transaction (no decision on disk: it aborts, which is safe
-- only if no participant was told to commit). This coordinator sends
-- "commit" before its decision is on disk: a crash in between leaves p1
-- committed and p2 aborted.
--
-- The fixed twin (two_phase_commit_fixed.lua) writes and syncs the decision
-- before it tells anyone.
local ls = lockstep

local SYNC_FIRST = false

local function participant()
  ls.label("participant")
  local state = "working"
  while true do
    local m = ls.receive()
    if m[1] == "prepare" then
      if state == "working" then state = "prepared" end
      ls.send(m[2], { "vote", ls.node(), "yes" })
    elseif m[1] == "commit" or m[1] == "abort" then
      if state == "prepared" or state == "working" then state = m[1] == "commit" and "committed" or "aborted" end
    elseif m[1] == "state" then
      ls.send(m[2], { ls.node(), state })
    end
  end
end

local function decide(participants, decision)
  if SYNC_FIRST then
    ls.disk.put("decision", decision)
    ls.disk.sync()
  end
  for _, p in ipairs(participants) do ls.send(p, { decision }) end
  if not SYNC_FIRST then
    ls.disk.put("decision", decision)
    ls.disk.sync()
  end
end

local function coordinator(participants)
  ls.label("coordinator")
  for _, p in ipairs(participants) do ls.send(p, { "prepare", ls.self() }) end
  for _ = 1, #participants do ls.receive(function(m) return m[1] == "vote" end) end
  decide(participants, "commit")
end

-- After a restart: finish what the disk says, or abort.
local function recovery(participants)
  ls.label("recovery")
  local decision = ls.disk.get("decision", "abort")
  for _, p in ipairs(participants) do ls.send(p, { decision }) end
end

ls.test("every participant reaches the same outcome", { strategy = "pct", iterations = 1000 }, function()
  ls.cluster.start_nodes({ "c", "p1", "p2" })
  local participants = { ls.spawn_on("p1", participant), ls.spawn_on("p2", participant) }
  ls.spawn_on("c", coordinator, participants)
  ls.spawn(function()  -- the nemesis: crash the coordinator's node, restart it
    ls.cluster.stop_node("c")
    ls.cluster.start_node("c")
    ls.spawn_on("c", recovery, participants)
  end)
  ls.sleep(100)  -- everything in flight has landed
  local states = {}
  for _, p in ipairs(participants) do
    ls.send(p, { "state", ls.self() })
    local m = ls.receive()
    states[m[1]] = m[2]
  end
  if states.p1 ~= states.p2 then
    error("p1 " .. states.p1 .. " but p2 " .. states.p2, 0)
  end
end)
