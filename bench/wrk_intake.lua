-- wrk script: POST a new CloudEvent to the webhook on every request (unique id = run prefix, thread, counter).
-- Arguments after `--`: TEMPLATE_FILE TOKEN RUN_PREFIX. The template is the JSON body of a real commit-file event
-- (events.simulation.build) with its id replaced by __MESSAGE_ID__.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

local counter = 0
local prefix, suffix, run

function init(args)
  local file = assert(io.open(args[1], "r"))
  local template = file:read("*a")
  file:close()
  local first, last = string.find(template, "__MESSAGE_ID__", 1, true)
  prefix = string.sub(template, 1, first - 1)
  suffix = string.sub(template, last + 1)
  run = args[3]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["x-eventbridge-signature-token"] = args[2]
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. run .. "-" .. tid .. "-" .. counter .. suffix)
end

dofile(string.gsub(debug.getinfo(1, "S").source, "^@(.*)wrk_intake.lua$", "%1wrk_report.lua"))
