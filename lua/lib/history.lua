-- lockstep.history: Jepsen-style operation histories (SPEC 5.8).
--
-- Recording an event is a sync point: the event is appended within the
-- step the scheduler picked, so the order of events is the schedule's real
-- time order, and the checkers can trust it. Values are stored as given
-- (record scalars or tables you do not mutate afterwards).
--
-- What the order says is real time: which completions come before which
-- invocations. Two invocations with no completion between them are
-- concurrent, as are two completions with no invocation between them, so
-- the scheduler treats each pair as commuting (dfs runs one order of them,
-- docs/checkers.md). new{total_order = true} makes every two events race.
local ls = lockstep
local M = {}
local History = {}
History.__index = History
local last_id = 0

-- new([{total_order = bool}]) -> h
function M.new(options)
  if options ~= nil and type(options) ~= "table" then
    error("ls.history.new: options must be a table ({total_order = true}), got " .. type(options), 2)
  end
  last_id = last_id + 1
  local total = options ~= nil and options.total_order and true or false
  return setmetatable({ id = last_id, list = {}, total_order = total }, History)
end

local function record(h, type, f, value)
  local order = h.total_order and 0 or (type == "invoke" and 1 or 2)
  ls._history_sync(h.id, type .. " " .. tostring(f), order)
  local e = { type = type, process = ls.self(), f = f, value = value, index = #h.list + 1 }
  h.list[#h.list + 1] = e
  return e
end

function M.invoke(h, f, value) record(h, "invoke", f, value) end
function M.ok(h, f, value) record(h, "ok", f, value) end
-- fail: the operation did not take effect.
function M.fail(h, f, reason) record(h, "fail", f, reason) end
-- info: the outcome is unknown; it may or may not have taken effect.
function M.info(h, f, reason) record(h, "info", f, reason) end

-- op(h, f, value, fn): invoke, run fn, then ok with its result, or info if
-- it raised (re-raising the error).
function M.op(h, f, value, fn)
  M.invoke(h, f, value)
  local ok, result = pcall(fn)
  if ok then
    M.ok(h, f, result)
    return result
  end
  M.info(h, f, result)
  error(result, 0)
end

-- events(h) -> a list of {type, process, f, value, index}
function M.events(h)
  local out = {}
  for i, e in ipairs(h.list) do
    out[i] = { type = e.type, process = e.process, f = e.f, value = e.value, index = e.index }
  end
  return out
end

-- to_json_lines(h) -> the events in lockstep's JSON-lines history format
-- (docs/checkers.md), readable by `lockstep check`, written by the engine.
-- Values must be nil, integers, strings, booleans or {a, b} pairs of
-- integers.
function M.to_json_lines(h)
  return ls._history_json(M.events(h))
end

History.invoke, History.ok, History.fail, History.info = M.invoke, M.ok, M.fail, M.info
History.op, History.events, History.to_json_lines = M.op, M.events, M.to_json_lines

ls.history = M
