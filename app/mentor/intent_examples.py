"""Labelled chat messages for the router's nearest-neighbour vote (`SectionMatcher.vote`).

Used only where the rules are unsure: a message that reads like a statement but that no rule
claims, or one that would otherwise be off-topic. Written for the product, independently of the
benchmark sets: none of these messages is in bench/data/intents.yaml or intents_probe.yaml
(tests/mentor/test_intents.py checks that). Add a message here rather than a regex per miss.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "section": (
        "take me through the networking notes",
        "i want to read about volumes",
        "open the part on dockerfiles",
        "lets look at swarm",
        "show me the security chapter",
        "the bit about registries please",
        "go over logging and monitoring with me",
        "walk me through compose",
        "the kubernetes part",
        "i'd like to revise image layers",
        "cover the troubleshooting material",
        "back to basics, the intro",
        "installing docker notes",
        "ci pipelines chapter",
        "the production deployment stuff",
        "anything on performance tuning",
        "what the guide says about plugins",
        "debugging notes please",
        "i need the container lifecycle material",
        "the new features in docker section",
    ),
    "interview": (
        "hit me with some questions on images",
        "id like to rehearse for my job interview",
        "pretend you're the interviewer and ask me about swarm",
        "let's do a practice session on security",
        "three quick ones about compose",
        "how about a few questions on volumes",
        "can you check if i know networking",
        "a round of interview questions please",
        "drill me with registry questions",
        "see how much i know about dockerfiles",
        "give me a practice question",
        "question time on kubernetes",
        "i'm ready for questions",
        "score me on ci/cd",
        "let's rehearse the interview",
    ),
    "clarify": (
        "what's the difference between an image and a container",
        "docker run vs docker start",
        "should i use alpine or debian slim",
        "why does my build not use the cache",
        "how do named volumes work",
        "is it ok to run as root in a container",
        "which is better, compose or swarm, for a side project",
        "when would i pick macvlan over bridge",
        "my container keeps restarting, why",
        "what happens to data when a container is removed",
        "how to pass environment variables to a container",
        "entrypoint or cmd for a wrapper script",
        "difference between expose and -p",
        "what exactly gets deleted by a prune",
        "why is pulling from docker hub rate limited",
    ),
    "help": (
        "what can i ask you",
        "how do i get started with this",
        "what are my options here",
        "show me what you can do",
        "how does this mentor work",
        "which commands do you understand",
        "is there a list of topics",
        "can you also grade my answers or just show notes",
    ),
    "other": (
        "hello!",
        "thanks a lot",
        "what's the capital of france",
        "write me a poem",
        "how's it going",
        "see you tomorrow",
        "recommend a good movie",
        "what time is it",
        "ok thanks, that's all for today",
    ),
}
