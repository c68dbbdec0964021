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
