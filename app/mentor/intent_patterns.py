"""The router's vocabulary: number words, section references, help and interview phrases
(yes, no, back and go-on: app.mentor.go_on_words).

Split out of app.mentor.intents (which decides) so each stays small; these are pure text rules,
no embeddings, no state.
"""

# regex vocabularies read better unwrapped (as pyproject.toml allows for app/mentor/intents.py)

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from app.catalog import LAST_SECTION

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": 20, "final": 20,
}  # fmt: skip
_NUM_WORD_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_SEC_WORD = (
    r"(?:section|sectoin|secton|setion|sectin|secion|sec|sect|chapter|chap|ch|part|module|topic|"
    r"lesson|unit|number|§|s(?=\d))"
)
# `(?<![a-z])`: "which one" is not "ch one"
_SECTION_REF = re.compile(
    rf"(?:(?<![a-z])(?:{_SEC_WORD})\s*\.?\s*(?:no\.?|number|#)?\s*|"
    # "pull up #18 docker in prod" (not "#137": an exit code)
    r"(?<![\w&#])#(?=\d{1,2}\b))"
    rf"(-?\d+(?:[.,]\d+)?|(?:{_NUM_WORD_RE})(?:[\s-]+(?:hundred|thousand))?)\b"
)
_BARE_NUMBER = re.compile(r"^(?:#|no\.?\s*)?(-?\d+(?:\.\d+)?)$")
# a bare 137 or 2377: an exit code or a port to ask about, never a section number
_CODE_OR_PORT = re.compile(r"[1-9]\d{2,}")
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
# "the very first section", "the 3rd chapter", "the fifth one" (not "last section": that is back)
_ORDINAL_REF = re.compile(
    rf"\b(?:the\s+)?(?:very\s+)?({'|'.join(_ORDINALS)}|\d{{1,2}}(?:st|nd|rd|th))\s+"
    rf"(?:section|sectoin|chapter|part|module|topic)\b"
)

_GREETING = re.compile(
    r"^(?:hi+|hello+|hey+|heya|hiya|yo|sup|good (?:morning|afternoon|evening)|greetings|howdy|"
    r"thanks?|thank you|thx|ty|cheers|bye|goodbye|see ya|cya|how are you\??|what'?s up|"
    r"lol|lmao|haha+|hehe|hmm+|wow|omg|nice|brb|ok cool|cool)\b"
)
_HELP = re.compile(
    r"^(?:help|halp|menu|commands|options|\?|what can (?:you|u|this (?:app|tool|thing|bot|site)|it)(?: \w+)? do(?! (?:with|about|to|if|when|in|on|against)\b)|"
    r"how does this work|how do i use this|how many (?:sections|chapters|topics)|"
    r"list(?: all)?(?: the)? (?:sections|chapters|topics)|show(?: me)?(?: all)?(?: the)? (?:sections|chapters)|sections|chapters|"
    r"table of contents|toc|contents|syllabus|what are the sections|which sections are there|"
    r"(?:show |what'?s |what is )?my progress|progress|where was i|where am i|what have i (?:covered|read|done)|"
    r"what do you cover|what topics|list topics|topics|(?:what|which) (?:sections|topics|chapters)\b|"
    r"how far (?:along )?(?:am i|have i (?:got|gotten|come))|how am i doing|"
    r"(?:(?:show|see|check|view)(?: me)? |what'?s |what is |what are )?my (?:stats|score|scores|results)|"
    r"where (?:did|do) i (?:leave|stop|stopp?ed)(?: off)?|where were we|"
    r"(?:what'?s |what is |show )?(?:the )?(?:sections? list|list of (?:the )?sections))\b"
)
_INJECTION = re.compile(
    r"ignore (?:all |any |the |your )?(?:previous|prior|above|earlier)|disregard (?:all|previous|your)|"
    r"system prompt|your (?:instructions|prompt|rules)|initial prompt|reveal|jailbreak|\bdan\b|"
    r"developer mode|you are now|act as (?!an? interviewer)|pretend (?:to be|you|ur)(?!.{0,40}\b(?:interview\w*|hiring manager|recruiter|ask me|quiz me)\b)|"
    r"print (?:your|the) (?:prompt|instructions)|repeat (?:the|your) (?:text|words) above|"
    r"<\s*/?\s*system\s*>|\[system\]|override (?:your|the) (?:rules|instructions)"
)
# a request for N questions, a practice round, rapid fire: an interview even without the word
_CARDINALS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty"
)
_QUESTIONS_WANTED = re.compile(
    rf"\b(?:\d{{1,2}}|{_CARDINALS}|some|a few|few|more|random|"
    r"a couple(?: of)?|couple(?: of)?|several|a bunch of|a handful of)\s+"
    r"(?:more\s+)?(?:[a-z][\w-]*\s+){0,2}?(?:questions|qs)\b|"
    r"\b(?:questions|qs)\s+(?:on|about|for)\b.*\b(?:like|about)?\s*\d+\s+of them\b|"
    r"\b(?:questions|qs) at me\b|\b(?:[2-9]|1\d|20) question (?:on|about|for)\b|\bask me (?:some|a few|\d{1,2}) question\b|\bpractice round\b|\brapid[- ]fire\b|\bthrow me\b|"
    r"\bpracti[cs]e (?:answering|some|a few|with)\b|\bpracti[cs]e (?:[\w/-]+ ){0,3}(?:questions|qs)\b|\b(?:\d+|some) (?:questions|qs) (?:on|about)\b|"
    # "one question about debugging", "throw 3 hard ones at me"
    r"^(?:just |only )?(?:one|1|a single) (?:more )?(?:[a-z][\w-]* )?question (?:on|about)\b|"
    r"\bthrow\b.{0,30}\bat me\b|"
    # "hit me with questions on X", "fire away some qs", "i want to be tested on X"
    r"\b(?:hit|shoot|fire)\b.{0,25}\b(?:questions|qs)\b|\bfire away\b|"
    r"\b(?:give|gimme|send)(?: me)? (?:some |more |a few )?(?:[a-z]+ )?(?:questions|qs) (?:on|about|for|from)\b|"
    r"\b(?:be|get|being|getting) (?:tested|quizzed|grilled|interviewed)\b"
)
# "then what happens ...", "ok but why ...": a question after a lead-in word
_LEAD_IN_QUESTION = re.compile(
    r"^(?:(?:then|so|and|but|ok|okay|wait|hmm|right|also)\s+){1,3}"
    r"(?:what|why|how|when|where|which|who|is|are|can|does|do|did|should)\b"
)
# a question asked after a pasted line: "OOMKilled true in docker inspect, what does it mean"
_QUESTION_INSIDE = re.compile(
    r"\b(?:what (?:does|do|did) (?:it|this|that|these|those|.{1,40}) mean|what(?: is|'s) (?:it|this|that) for|"
    r"why (?:is|does|do|did|am|are|would|can'?t|won'?t|doesn'?t)|what (?:does|do|did)|"
    # "swarm secrets where do they end up ... and can i update one", "... how are they stored"
    r"(?:where|how) (?:do|does|did|is|are) (?:i|you|we|they|it)\b|(?:and|but|or|so) (?:can|could|should) (?:i|we)\b|"
    r"how (?:else |exactly |then )?(?:do|can|should|would|could) (?:i|you|we|one)|what (?:am i|is) (?:doing )?wrong|"
    # "wasm and model runner what are these new docker things"
    r"what (?:is|are) (?:these|those|this|that)(?: [\w-]+){0,4}$|"
    # "exit code 137 means what": the question word after the thing asked about
    r"means? what|meaning|"
    # a question phrased as a statement: "i never understood what a dangling image is"
    r"(?:i|i'?ve|i have) (?:never|still don'?t|don'?t|do not|didn'?t|can'?t|still can'?t|never really) "
    r"(?:really |fully |quite )?(?:understood|understand|get|got|gotten|know|knew|figured out|figure out|"
    r"grasped|grasp)\b.{0,12}\b(?:what|why|how|when|where|which|the difference))\b"
    # a question word at the end: "rootless setup how", "live-restore what does it do",
    # "swarm secrets where r they stored"; and a failure: "desktop wont start on windows"
    r"|\b(?:how|what (?:is|are|does|do) (?:it|they|this|that|these)(?: do| for)?|"
    r"where (?:is|are|r|do|does) \w+(?: \w+){0,2}|how else|why)\s*$"
    r"|\b(?:won'?t|wont|doesn'?t|does not|isn'?t|not) (?:start|work|working|run|connect|build|resolve)\b"
)
# "in the security section it mentioned rootless mode, what is that": a question about what the
# notes said, not a request for them
_RECALLS = re.compile(r"\b(?:mentioned|mentions|you said|it said|it says|notes say|talked about)\b")
_ANY_QUESTION_WORD = re.compile(r"\b(?:what|whats|why|how|when|where|which|who)\b")
# a docker command on its own ("docker diff", "docker build --check"): a question about it
_BARE_COMMAND = re.compile(
    r"^(?!.*\b(?:sections?|chapters?|notes|part|stuff|topics?|module|basics)\b)"
    r"docker(?:\s+[a-z][a-z-]*){1,2}(?:\s+--?[a-z][\w-]*)*$"
)
# "huh? dont get it", "you lost me": the last answer did not land (an ask for a simpler one)
_CONFUSED = re.compile(
    r"\b(?:huh|don'?t get (?:it|that)|didn'?t get (?:it|that)|don'?t understand|lost me|"
    r"confus\w*|makes no sense|what do you mean|not clear|unclear|say (?:it|that) again|"
    r"too (?:complicated|complex|technical|hard|advanced)|over my head)\b"
)
# a second request joined by "and": "show me section 11 and test me after"
_AND_REQUEST = re.compile(
    r"\s*,?\s*\band\s+(?:then\s+)?(?=(?:test|quiz|grill|drill|interview|ask|show|open|read|revise|do)\b"
    r"|give me (?:\S+ ){0,3}(?:questions|qs)\b)"
)
# more on the last answer: "can u give example?", "tell me more", "elaborate pls"
_MORE_ON_IT = re.compile(
    r"\b(?:an? example|examples?|for instance|show me how|elaborate|more detail|tell me more|"
    r"go deeper|expand on (?:it|that|this)|say more|the command|command for (?:that|it|this)|"
    r"the syntax|code for (?:that|it|this))\b"
)
_AFTERWARDS = re.compile(r"\s+(?:after(?:wards)?|after it|later|at the end)$")
# words that, beside a section's name, still only ask for that section: "do networking"
REQUEST_FILLER = frozenset(
    "do lets let's let us the a an on about some pls please plz now stuff bit bits part me go over "
    "through with w i wanna want to more again quick docker topic".split()
)
# what else a short request for a section's notes holds beside the section's name ("gimme the
# compose stuff", "images chapter pls", "jump to ci/cd", "logging + monitoring"): any other word
# is a detail asked about ("backup a named volume", "swarm firewall ports", "exec format error")
NAVIGATION_FILLER = REQUEST_FILLER | frozenset(
    "notes note chapter section sec part parts one ones things basics intro overview and n & + / "
    "first then after next jump gimme give show open read see back like etc all that this those "
    "ok okay so yo hey hi can u you i we start begin continue thru of for in it its docker's straight "
    "directly right away move get into learn learning study studying revise revising cover "
    "running using working walk material materials content lesson lessons recap refresher review "
    "reviewing summary topics actually skip ahead take from very beginning scratch".split()
)
_STUDY_VERB = re.compile(r"\b(?:go over|go through|cover|look at|open|revise|study)\b")
_THE_ONE = re.compile(r"\bthe [\w-]+(?: [\w-]+)? one$")  # "can you do the swarm one"
# the user points at a section by its topic: "that part", "the one about X", "X section"
_POINTS_AT_NOTES = re.compile(
    r"\b(?:that part|this part|that one|the one (?:about|on|with)|the .{1,30} (?:section|chapter|part|stuff)|"
    r"(?:section|chapter|notes|part)\b|stuff$)"
)
_HELP_SEARCH = re.compile(
    r"\b(?:how (?:do|can|should) i use (?:this|it|you)|i'?m new here|im new here|new here)\b|"
    # "hows my score so far? did i do ok in the last mock": about the score, not a new mock
    r"\b(?:how'?s|how is|what'?s|whats|what is|what was|show|see|check|view)(?: me)? my (?:score|scores|stats|results?|progress)\b|"
    r"\bdid i pass\b|\bhow many (?:questions |answers |ones )?(?:did|have|do) i (?:get|got|gotten|answer(?:ed)?)\b|\b(?:topic|topics|section|sections|chapter) list\b|\blist of (?:topics|sections|chapters)\b|"
    r"\bwhat (?:can (?:you|u|this (?:app|tool|thing|bot|site))|(?:you|u) can)(?: \w+)? do(?: for me)?(?: exactly)?(?:$| (?!with|about|to|if|when|in|on|against|for)\b)|"
    r"\bhow many points\b|\bmy points\b|\b(?:which|what) (?:sections|chapters|topics) (?:are )?there\b|\bhow (?:do |can |should )?i use (?:this|it|you)\b|"
    r"\bhow (?:does|do) (?:this |the )?(?:app|tool|thing|site|bot|mentor|mocks?|mock interviews?|interview mode|quiz(?:zes)?)(?: \w+)? work\b|"
    r"\bhow (?:does|do) (?:this|the) (?:interview|quiz)(?: \w+)? work\b|"
    # "do the notes cover kubernetes too", "is there a way to reset my progress"
    r"\bdo (?:the |your |these )?(?:notes|sections|you) (?:also )?(?:cover|include|talk about|go into)\b|"
    r"\b(?:reset|clear|wipe|delete|erase)\b.{0,20}\bmy (?:progress|score|scores|stats|history|results)\b|"
    r"^how (?:do|can) i (?:start|begin|take|do) (?:a |an |the )?(?:mock|interview|quiz)\b|"
    r"^(?:can|do|could) you (?:also )?(?:quiz|interview|test|show|do)\b.*\b(?:too|also|or only|as well|or (?:are you|is it) (?:just|only))\b|"
    # "can i ask you random questions here or do i have to follow the sections in order?"
    r"\bcan i (?:just |also )?(?:ask|throw|send|type)(?: you)? (?:random |any |my own |other |some )?(?:docker )?questions\b|"
    r"\b(?:do|must) i (?:have to|need to) (?:follow|go through|read|do|go) (?:the )?sections?\b(?! \d)|\bsection by section\b"
)
# "not 5, 6", "i meant 12 not 11", "wrong one, I asked for 8": the section the user corrects to
_CORRECTED = re.compile(
    r"\b(?:meant|asked for|wanted|want|said)\s+(?:section\s+|sec\s+|#)?(\d{1,3})\b|"
    # a number word only after "meant", "asked for" or "said", or with "section": "why would i
    # want one" wants no Section 1
    r"\b(?:(?:meant|asked for|said)\s+(?:section\s+|sec\s+|#)?|(?:wanted|want)\s+(?:section|sec)\s+)([a-z]+)\b"
)
_NOT_NUMBER = re.compile(r"\bnot\s+(?:section\s+|sec\s+|#)?(\d{1,3})\b")
# compound requests: "section 5 then quiz me", "interview me first, then show section 11"
# a section request, then a question of its own: "section 5, what is a bridge network?",
# "start from 7 and explain ADD vs COPY", "open networking - why can't my containers talk?"
_SECTION_THEN_QUESTION = re.compile(
    r"^(?P<first>(?:[^,;?]*?\b)?(?:sections?|secs?|chapters?|notes|start(?:\s+from)?|open|show|do)"
    r"\b[^,;?]{0,40}?)\s*(?:(?:[,;:]|\.(?=\s))(?:\s*and\b)?(?:\s*also\b)?|\s-\s|\band\b(?:\s+also\b)?)\s*"
    r"(?P<question>(?:what|why|how|when|where|which|who|is|are|can|does|do|should|explain|"
    r"tell me|whats|what's)\b.{3,})$",
    re.I,
)
_THEN = re.compile(
    r"\s*(?:,\s*)?(?:\band\s+then\b|\bthen\b|\bfollowed by\b|\band after that\b|\bafter that\b|"
    r"\band after(?:wards)?\b|"
    r"\b(?:and\s+)?(?:once|when|after)\s+(?:i'?m|im|i am|i'?ve|ive|i have)\s+(?:done|finished|through)"
    r"(?:\s+with\s+(?:that|it|this|them))?\b)\s*"
)
_TWO_NUMBERS = re.compile(
    rf"^(?:(?:do|show|open|read|sections?|secs?|chapters?)\s+)?(\d{{1,2}}|{_NUM_WORD_RE})\s+"
    rf"(?:and|&|\+)\s+(\d{{1,2}}|{_NUM_WORD_RE})(?:\s+(?:please|pls|plz))?$"
)

_INTERVIEW = re.compile(
    # not "interviewers always quiz people on caching, how does it work": about interviews
    r"\b(?:mock|(?<!my )(?<!job )(?<!real )(?<!in an )(?<!in the )(?<!have )(?<!have an )(?<!got an )"
    r"(?<!had an )(?<!had a )(?<!had my )(?<!after my )(?<!after the )(?<!during the )(?<!during my )"
    r"(?<!before )(?<!tomorrow )(?<!tomorrows )(?<!tmrw )(?<!upcoming )(?<!next )"
    r"interview(?!ers?\b|ing\b|s\b| (?:is|was|went|goes|tomorrow|tmrw|today|tonight|next|last|yesterday|coming|prep\w*|process|tips|on (?:mon|tue|wed|thu|fri|sat|sun)\w*|in \d))|"
    r"quiz(?! (?:people|candidates|them|others|folks)\b)|"
    r"(?:play|be|act as|act like|pretend (?:to be|you'?re|your|ur|you are)) (?:the |an? |my )?"
    r"(?:interviewer|hiring manager|recruiter)|(?:test|quiz) myself|"
    # "my interview is on friday" is the real one; "start my interview" asks for a mock
    r"(?:start|begin|run|do|continue|resume) (?:my |the |an? )?(?:next |new |another )?(?:practice )?interview\b|"
    r"test me|grill me|drill me|examine me|ask me (?:some |a few |random )?"
    r"(?:[\w/.+-]+ ){0,2}(?:questions|qs)\b|ask me something|ask me (?:stuff|things|anything)\b|ask me (?:about|on)\b|practice (?:questions|interview)|q ?& ?a round|viva|"
    r"question me|challenge me|test me\b|test my (?:[\w-]+ )?(?:knowledge|skills?|understanding)\b|evaluate me|quiz me|ask me (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:more )?(?:questions?|qs)|check my knowledge|assess me)"
)
_NOTES_WORD = re.compile(
    r"\b(?:notes?|revision|revise|revising|teach me|study|learn|cover|show me|go through|"
    r"take me to|jump to|go to|skip to|read|summary|overview|guide|cheat ?sheet|"
    r"lesson|the (?:[\w/.+-]+ ){1,3}one|one on|section on|chapter on|let'?s do|let'?s (?:look at|go over|cover)|"
    r"look at|go over|the .{1,30} (?:section|chapter|part|notes)|i need|i want|can i (?:get|have|see))\b|"
    # "open", "start", "begin" as a request's verb, at the start of a clause or after a request's
    # opening ("lets start with swarm", "ok open the compose stuff"), not as a noun or adjective
    # ("exec format error on container start", "ports wide open to the internet")
    r"(?:^|[,;:!?]\s*|\b(?:lets|let's|let us|can we|can you|could we|could you|pls|please|ok|okay|"
    r"now|then|and|i wanna|i want to|i'd like to|we can|just) )(?:open|start|begin)\b(?! *$)"
)
# nouns that ask for the notes themselves, even inside a question ("can I get the volumes notes?")
_NOTES_NOUN = re.compile(r"\b(?:notes|section|chapter|cheat ?sheet|revision notes)\b")
_REQUEST_START = re.compile(r"^(?:can|could|would|may) (?:i|you|we)\b")
_QUESTION_START = re.compile(
    r"^(?:what|what's|whats|why|how|how's|hows|whys|where's|wheres|who's|whos|when|where|which|who|whom|whose|is|are|can|could|should|"
    r"would|will|do|does|did|explain|describe|define|tell me|compare|difference|diff|"
    r"differentiate|clarify|meaning|help me understand|i don'?t (?:get|understand)|"
    r"i'?m confused|confused|eli5|give me an example|example of|whats the|wat|wht|y does|y is)\b"
)
_ALL = re.compile(
    r"\b(?:everything|all(?: sections| topics| of it)?|whole guide|full guide|entire guide|all 20|anything|random)\b"
)
_REVISED = re.compile(
    r"\b(?:what i(?:'?ve| have)? (?:revised|read|covered|studied|seen|done)|my sections|sections i (?:read|revised|covered))\b"
)
_MID_QUESTION = re.compile(
    r"^(?:what is|what's|whats|what are|what does|how does|how do|why does|why do|"
    r"can you explain|could you explain|explain|define|wait,? what)\b"
)
_PLAN = re.compile(
    r"\b(?:what should i (?:revise|study|read|learn|focus on|do next)|study plan|revision plan|cram|"
    r"make me a plan|plan my (?:study|revision|time)|i (?:only )?(?:have|got)\s+(?:an? |\d+(?:\.\d+)?\s*)"
    r"(?:min|mins|minutes|minute|hours?|hrs?|h)\b|where (?:should|do) i (?:start|focus))"
)
_PLAN_TIME = re.compile(r"(\d+(?:\.\d+)?|an?|half an?)\s*(min|mins|minutes|minute|hours?|hrs?|h)\b")
_CARDS = re.compile(
    r"\b(?:due cards|flash ?cards?|review (?:my )?cards|cards (?:are |that are )?due|"
    r"spaced (?:review|repetition))\b"
)
_SIMPLER = re.compile(
    r"\b(?:simpler|eli5|simple terms|like i'?m (?:five|5)|dumb it down|plain english|simply|"
    r"(?:like|as if) i(?:'?m| am) an? (?:beginner|newbie|noob|kid|child)|for (?:a )?(?:beginners?|dummies|newbies?)|"
    r"more simpl[ey]|(?:in )?simple (?:words|english)|easier (?:words|way))\b"
)
# "5 questions", "3 hard networking questions" (up to two words between), not "section 3 qs"; a
# range's upper bound is group 2
_COUNT = re.compile(
    rf"(?<!section )(?<!chapter )\b(\d{{1,2}}|{_CARDINALS})"
    # "3-4 questions", "two or three qs": the lower count
    rf"((?:-|\s+(?:to|or)\s+)(?:\d{{1,2}}|{_CARDINALS}))?\s*"
    r"(?:more\s+)?(?:[a-z][\w-]*\s+){0,3}?(?:questions?|qs|q|ones)\b"
)
_NOTES_NUMBER = re.compile(
    # "lets read 15", "i wanna open 7": a lead-in before the verb
    r"^(?:(?:let'?s|lets|i want to|i wanna|i'?d like to|can we|can i|ok|okay|now|pls|please|actually|so)\s+){0,2}"
    r"(?:revise|revising|study|read|open|show|show me|teach me|notes|notes on|notes for|do|let'?s do|start|begin|"
    r"(?:start|begin) (?:from|at|with)|go to|jump to|skip to|skip ahead to|jump ahead to|take me to|cover|learn|gimme|give me|lemme see|let me see|lemme read)\s+(-?\d+(?:\.\d+)?|[a-z]+)(?:\s+(?:please|pls|plz|now|next))?$"
)
_DOCKER_WORDS = re.compile(
    r"docker|container|image|dockerfile|compose|swarm|kubernetes|k8s|kubectl|volume|network|"
    r"registry|daemon|dockerd|containerd|runc|oci|buildkit|buildx|podman|layer|cgroup|namespace|"
    r"port|mount|entrypoint|cmd|healthcheck|oom|sigterm|sigkill|exit code|137|143|pod|helm|"
    r"ci/?cd|pipeline|github actions|gitlab|jenkins|hub|tag|digest|rootless|seccomp|apparmor|"
    r"capabilit|secret|env|arg|cache|multi-?stage|overlay|bridge|macvlan|dns|logs?|stats|exec|"
    r"inspect|prune|restart|scale|replica|service|stack|node|cluster|wasm|sbom|scout|trivy|"
    r"build|copy|\brun\b|error|failed|crash|exit|daemon|socket|compose|yaml|nginx|postgres|"
    r"\bapp\b|application|server|deploy|ship|process|memory|\bram\b|cpu|disk|storage|persist|"
    r"database|\bdb\b|isolat|vulnerab|\bscan|securi|secure|perform|slow|size|microservice|devops|"
    r"cloud|aws|azure|gcp|\becs\b|\beks\b|\bgke\b|\baks\b|permission|\broot\b|sudo|ubuntu|debian|"
    r"\bmac\b|macos|windows|variable|config|orchestrat|load balanc|proxy|\bhttp|tls|cert|ssh|"
    r"version|upgrade|install|kill|signal|\bstop|health|probe|monitor|metric|debug|trace|"
    r"\bpid\b|init|mount|bind|tmpfs|ingress|gateway|firewall|iptables|nftables|ufw|\bip\b|"
    r"routing|mesh|quorum|raft|manager|worker|rollback|rolling|secret|vault|sign|sbom|"
    r"subnet|ephemeral|stateless|stateful|immutable|reproducib|sandbox|hypervisor|"
    r"\bci\b|\bcd\b|artifact|\bpush|\bpull|(?:^|\s)--?[a-z]|\.ya?ml|\.json|\bdev\b|prod|"
    r"alpine|distroless|scratch|wsl|desktop|hyper-?v|vm\b|virtual machine|linux|kernel"
)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = text.replace("&", " and ")
    text = re.sub(r"\bq's\b", "qs", text)  # "give me 3 q's on X"
    text = re.sub(r"[^\w\s§#'/.+-]", " ", text)
    text = _SECTION_TYPO.sub(_fix_section_typo, text)
    text = _CHAT_SHORTHAND.sub(lambda m: _SHORTHAND[m.group(0)], text)
    return re.sub(r"\s+", " ", text).strip(" .")


# chat shorthand read as the words it stands for ("can u do the swarm one", "wats a dangling
# image"); never a flag ("docker run -u 1000") or part of a word
_SHORTHAND = {
    "u": "you", "ur": "your", "wat": "what", "wats": "what's", "wut": "what", "abt": "about",
    "bout": "about", "sectn": "section", "secn": "section",
}  # fmt: skip
_CHAT_SHORTHAND = re.compile(r"(?<![\w'-])(?:u|ur|wat|wats|wut|abt|bout|sectn|secn)(?![\w'-])")


# a word that may be "section"/"chapter" misspelt, followed by a number: "sction 3", "chapetr 4"
_SECTION_TYPO = re.compile(rf"\b([sc][a-z]{{3,8}})(?=\s*(?:\d|(?:{_NUM_WORD_RE})\b))")


def _fix_section_typo(m: re.Match[str]) -> str:
    word = m.group(1)
    for target in ("section", "chapter"):
        if word[0] == target[0] and SequenceMatcher(None, word, target).ratio() >= 0.8:
            return target
    return word


def _parse_number(raw: str) -> float | None:
    raw = raw.strip().replace(",", ".")
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
        return float(raw)
    return None


def out_of_range(raw: str) -> str:
    return (
        f"There is no Section {raw} — the guide has sections 1 to {LAST_SECTION}. "
        'Say **"Start from Section 1"**, a number from 1-20, or **"list sections"**.'
    )


def _section_ref(text: str) -> tuple[int | None, str | None]:
    """A section named by number: (number, None), (None, problem) or (None, None)."""
    m = _SECTION_REF.search(text)
    raw = None
    if m:
        raw = m.group(1)
    elif o := _ORDINAL_REF.search(text):
        raw = o.group(1)
        raw = raw if raw in NUMBER_WORDS else re.sub(r"(?:st|nd|rd|th)$", "", raw)
    else:
        b = _BARE_NUMBER.match(text)
        if b and not _CODE_OR_PORT.fullmatch(b.group(1)):
            raw = b.group(1)
    if raw is None:
        junk = re.match(rf"^(?:start from |go to |open )?(?:{_SEC_WORD})\s+(\S+)$", text)
        if junk and junk.group(1) not in NUMBER_WORDS:
            return None, out_of_range(junk.group(1))
        return None, None
    tail = text[m.end() :] if m else ""
    if raw in NUMBER_WORDS and re.match(rf"^[\s-]+(?:{_NUM_WORD_RE})\b", tail):
        return None, out_of_range(f"{raw} {tail.strip(' -').split()[0]}")
    if re.search(r"hundred|thousand", raw):
        return None, out_of_range(raw)
    value = _parse_number(raw)
    if value is None:
        return None, None
    if value != int(value) or not 1 <= value <= LAST_SECTION:
        return None, out_of_range(raw)
    return int(value), None


# "can u show me the volumes stuff, bind mounts tmpfs etc": a request, not a question (but "can
# you show me how to mount one" asks how)
_POLITE_REQUEST = re.compile(
    r"^(?:can|could|would) (?:you|u) (?:please |pls )?(?:show|open|give|pull up|bring up)"
    r"(?: me)? (?!how|what|why|when|where|which|an? example)"
)
# asking for a section's notes outright, whatever else the message asks: "where should i start?
# show me the compose notes pls" (not "show me the ports section of a compose file")
_SHOW_NOTES = re.compile(
    r"\b(?:show|open|gimme|give me|pull up|bring up|send)(?: me)? (?:the |ur |your )?"
    r"(?:[\w/.+-]+ ){1,3}(?:notes|section|chapter)\b(?! of\b)"
)
# "where is the part about registries", "the volumes notes, where r they": a request for them
_WHERE_ARE_NOTES = re.compile(
    r"\bwhere(?:'s| is| are| r| can i find| do i find)? (?:the )?(?:[\w-]+ ){0,3}?(?:part|notes|section|chapter)\b|"
    r"\b(?:part|notes|section|chapter)\b.{0,20}\bwhere (?:is|are|r) (?:it|they|them)\b|"
    # asking whether notes exist asks for them: "got notes on that?", "do u have notes for swarm"
    r"\b(?:got|have|any) (?:any )?(?:notes|a section|a chapter) (?:on|about|for)\b|"
    r"\bis there (?:a |any )?(?:section|chapter|part|notes?) (?:on|about|for)\b|"
    # asking what the notes hold: "whats in ur notes about jenkins" ("what do the notes say
    # about ..." asks what they say: _RECALLS)
    r"\bwhat(?:'s| is|s)? in (?:ur|your|the) (?:notes|section) (?:on|about|for)\b"
)
# a reason given after a request: "... because the company is really into supply chain security"
_REASON = re.compile(r"\b(?:because|cause|cuz|coz|bc|since)\b")
# numbers that count something else: "my interview is in 2 days", "in 15 min", "all 20 sections"
_NOT_A_SECTION = re.compile(
    r"\b\d{1,2}\s*(?:min(?:ute)?s?|h|hrs?|hours?|days?|weeks?|months?|years?|yrs?|am|pm|sections|"
    r"chapters|topics|people|devs?|developers|engineers|services|containers|nodes|servers|"
    r"replicas|gb|mb|%)(?!\w)"
)
# "don't quiz me", "no need to test me": not a request for an interview
_NOT_QUIZ = re.compile(
    r"\b(?:don'?t|dont|do not|no need to|not here to|not asking (?:you )?to) (?:quiz|test|grill|drill|interview) me\b|"
    r"\bno (?:quiz|quizzes|mock|interview)\b|"
    r"\b(?:preparing|prepping|studying|getting ready) for (?:an? |my |the |this |that |a job )?interview\b|"
    # the real one, told about: "before my 2pm interview", "a good breakfast before an interview"
    r"\bmy (?:\d[\w:]*|\w+day|onsite|final|technical|actual|first|second|upcoming) interview\b|"
    r"\b(?:before|after|during) (?:my|the|an?|this|that|tomorrow'?s) (?:[\w-]+ ){0,2}interview\b|"
    # the real interviewers: "they'll def grill me on that", "the interviewer will probably quiz
    # me" (not "be the interviewer, grill me" nor "act like the interviewer and question me":
    # the user asks for that)
    r"\b(?:they|they'?ll|they'?re|theyll|theyre|he|she)(?: (?!and\b)\w+){0,3} "
    r"(?:grill|quiz|test|drill|ask|question) me\b|"
    r"\binterviewers? (?:will|would|might|may|could|can|always|usually|often|probably|def|"
    r"definitely|gonna|is going to|are going to)\b(?: \w+){0,2} (?:grill|quiz|test|drill|ask|question) me\b"
)
# "unrelated to docker but can you help me write an email": the user says it is off-topic, up
# front or before a "but" (not "why is my build slow, or is it not docker related?")
_OFF_TOPIC_SAID = re.compile(
    r"^(?:\S+\s+){0,4}(?:unrelated to docker|not (?:docker|about docker|docker[- ]related)|nothing to do with docker|"
    r"off[- ]?topic (?:question|but|here))\b|"
    r"\b(?:unrelated to docker|not (?:about docker|docker[- ]related)|nothing to do with docker),? but\b|"
    # a joke or a poem, whatever it is about: "tell me a joke about kubernetes" (not a story:
    # "give me a real world story of a swarm outage" may be prep; asked first:
    # "quiz me on swarm then tell me a joke" is a quiz, then the joke's own reply)
    r"^(?:\S+\s+){0,3}(?:tell|say|make|write|give)(?: me| us)? (?:a|an|another|some|one more) (?:\w+ )?"
    r"(?:joke|poem|song|limerick|riddle|haiku)s?\b"
)
# laughter, thanks and news in a statement no rule or vote claimed: small talk that names
# Docker ("lol the docker whale is so cute", "got the job!!! ...") unless the notes claim it
_SOCIAL = re.compile(
    r"\b(?:lol|lmao|rofl|haha+|hehe+|ngl|amirite|cute|cutest|adorable|thanks|thank you|thx|"
    r"good morning|good night|got the job|i passed)\b"
)
# small talk or a goodbye at the end of a message: "... long day, how are you doing today"
_SMALL_TALK_END = re.compile(
    r"\b(?:how (?:are|r) (?:you|ya)(?: doing)?(?: today| tonight| this (?:morning|evening))?|"
    r"how'?s (?:it going|your day)|bye+|goodbye|good ?night|cya|see (?:you|ya)(?: later| tomorrow| tmrw)?|"
    r"wish me luck|ttyl|take care)$"
)
# "sections 1 to 3", "ch 4-6": every section in between (not "3-4 questions": a count)
_RANGE = re.compile(
    r"\b((?:sections?|secs?|chapters?|ch)\s*)(\d{1,2})\s*(?:to|-|through|thru|till|until)\s*(\d{1,2})\b"
)
# "sec 19", "sections 15 and 18", "chapter 4": the number after the word names a section
_NUMBERED_SECTION = re.compile(
    rf"\b(?:sections?|secs?|sects?|chapters?|ch)\s*#?\s*(\d{{1,2}}|{_NUM_WORD_RE})\b"
    rf"(?:\s*(?:and|or|,)\s*(\d{{1,2}}|{_NUM_WORD_RE})\b)?"
)
