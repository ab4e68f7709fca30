-- A transactional store under snapshot isolation, checked for
-- serializability with ls.checker.txn (docs/checkers.md "Transactions").
--
-- The store is one process. A transaction begins by taking a snapshot (a
-- copy of the data and the commit count), reads from it, and commits its
-- appends only if no key it writes was committed since its snapshot (first
-- committer wins): snapshot isolation. Two clients each read both on-call
-- lists and, seeing no one on call, add themselves to their own list. Under
-- snapshot isolation both commit: a write skew (G2-item). This twin of
-- write_skew.lua also refuses a commit when a key it read was committed
-- since its snapshot (optimistic concurrency control with backward
-- validation), which is serializable: one of the two is refused.
local ls = lockstep

local VALIDATE_READS = true

local function copy(data)
  local out = {}
  for k, list in pairs(data) do out[k] = table.move(list, 1, #list, 1, {}) end
  return out
end

local function store()
  ls.label("store")
  local data, last_commit, clock = {}, {}, 0
  while true do
    local m = ls.receive()
    if m.op == "begin" then
      ls.send(m.from, { ref = m.ref, snapshot = copy(data), version = clock })
    elseif m.op == "commit" then
      local ok = true
      for k in pairs(m.writes) do
        if (last_commit[k] or 0) > m.version then ok = false end
      end
      if VALIDATE_READS then
        for k in pairs(m.reads) do
          if (last_commit[k] or 0) > m.version then ok = false end
        end
      end
      if ok then
        clock = clock + 1
        for k, values in pairs(m.writes) do
          data[k] = data[k] or {}
          for _, v in ipairs(values) do table.insert(data[k], v) end
          last_commit[k] = clock
        end
      end
      ls.send(m.from, { ref = m.ref, ok = ok })
    end
  end
end

local function call(store_pid, msg)
  msg.ref, msg.from = ls.make_ref(), ls.self()
  ls.send(store_pid, msg)
  return ls.receive(function(r) return r.ref == msg.ref end)
end

-- Runs `mops` ({f, key, value} with f "r" or "append") as one transaction,
-- recording it in history `h`: ok with what its reads saw, or fail if the
-- store refused the commit.
local function transaction(h, store_pid, mops)
  h:invoke("txn", mops)
  local snap = call(store_pid, { op = "begin" })
  local done, reads, writes = {}, {}, {}
  for i, m in ipairs(mops) do
    local f, k, v = m[1], m[2], m[3]
    if f == "r" then
      local list = snap.snapshot[k] or {}
      for _, w in ipairs(writes[k] or {}) do list[#list + 1] = w end  -- its own appends
      done[i] = { "r", k, #list > 0 and list or nil }
      reads[k] = true
    else
      writes[k] = writes[k] or {}
      table.insert(writes[k], v)
      done[i] = { f, k, v }
    end
  end
  local r = call(store_pid, { op = "commit", version = snap.version, reads = reads, writes = writes })
  if r.ok then h:ok("txn", done) else h:fail("txn", mops) end
  return r.ok
end

ls.test("on-call shifts are serializable", { strategy = "pct", iterations = 300 }, function()
  local h = ls.history.new()
  local s = ls.spawn(store)
  local root = ls.self()
  for i, me in ipairs({ "x", "y" }) do
    ls.spawn(function()
      ls.label("doctor " .. me)
      -- No one on call? Then take the shift.
      transaction(h, s, { { "r", "x" }, { "r", "y" }, { "append", me, i } })
      ls.send(root, "done")
    end)
  end
  ls.receive()
  ls.receive()
  transaction(h, s, { { "r", "x" }, { "r", "y" } })
  local ok, info = ls.checker.txn(h:events(), { model = "list-append", consistency = "serializable" })
  if not ok then ls.log(info.text) end  -- the cycle, explained, in the trace's log
  assert(ok, "not serializable: " .. (info.anomalies[1] and info.anomalies[1].type or "?"))
end)
