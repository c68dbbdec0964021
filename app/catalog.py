"""The 20 sections of the guide: number -> exact title (the knowledge files must agree)."""

from __future__ import annotations

SECTION_TITLES: dict[int, str] = {
    1: "Introduction to Docker",
    2: "Installation & Setup",
    3: "Docker Images",
    4: "Docker Containers",
    5: "Docker Networking",
    6: "Docker Volumes & Storage",
    7: "Advanced Dockerfile Techniques",
    8: "Docker Compose",
    9: "Docker Swarm Mode",
    10: "Integration with Kubernetes",
    11: "Security Best Practices",
    12: "Docker Registries",
    13: "Monitoring & Logging",
    14: "Debugging Containers",
    15: "Performance Optimization",
    16: "Docker Plugins & Extensions",
    17: "CI/CD with Docker",
    18: "Docker in Production",
    19: "Troubleshooting & Common Issues",
    20: "Emerging & Advanced Topics",
}

FIRST_SECTION = 1
LAST_SECTION = 20


def valid_range_text() -> str:
    return f"{FIRST_SECTION}-{LAST_SECTION}"


# Words users type for each section, beyond its title (the front-matter aliases add more).
SECTION_KEYWORDS: dict[int, tuple[str, ...]] = {
    1: ("introduction", "intro", "basics", "docker basics", "containers vs vms", "what is docker"),
    2: ("installation", "install", "setup", "set up", "docker desktop", "wsl2", "wsl"),
    3: ("images", "image", "layers", "image layers", "tagging", "build cache"),
    4: ("containers", "container", "container lifecycle", "lifecycle", "resource limits"),
    5: ("networking", "network", "networks", "bridge network", "dns", "service discovery"),
    6: ("volumes", "volume", "storage", "bind mounts", "bind mount", "tmpfs", "persistence"),
    7: ("dockerfile", "dockerfiles", "advanced dockerfile", "dockerfile tricks", "multi-stage",
        "multi stage builds", "multi stage build", "multistage", "build secrets", "arg and env",
        "entrypoint vs cmd"),
    8: ("compose", "docker compose", "docker-compose", "compose file", "multi-container"),
    9: ("swarm", "swarm mode", "docker swarm", "orchestration with swarm"),
    10: ("kubernetes", "k8s", "kube", "dockershim", "cri", "minikube", "kind cluster", "k3s"),
    11: ("security", "secure", "rootless security", "hardening images", "image scanning"),
    12: ("registries", "registry", "docker hub", "private registry", "pull limits"),
    13: ("monitoring", "logging", "logs", "metrics", "prometheus", "log drivers"),
    14: ("debugging", "debug", "docker exec", "inspect"),
    15: ("performance", "optimization", "optimisation", "slim images", "image size"),
    16: ("plugins", "extensions", "docker plugins", "desktop extensions"),
    17: ("ci/cd", "cicd", "ci cd", "ci", "pipelines", "github actions", "gitlab ci", "jenkins"),
    18: ("production", "prod", "docker in prod", "high availability", "ha"),
    19: ("troubleshooting", "common issues", "errors", "common errors", "troubleshoot"),
    20: ("emerging", "advanced topics", "emerging topics", "podman", "wasm", "buildkit",
         "rootless"),
}  # fmt: skip
