"""Counts the CloudFormation resources of every stack of the deployment, offline.

CloudFormation refuses a stack of more than 500 resources, and SAM's shorthand hides
most of them (a function with an API route is a function, a role, an integration, a
route and a permission). This expands each template as CloudFormation's SAM transform
would, with AWS SAM's own translator (`aws-sam-translator`, no AWS call: a stub for the
managed-policy lookup, local paths replaced by placeholder S3 locations), starting at
`infra/template.yaml` and following its nested stacks (`AWS::Serverless::Application`
or `AWS::CloudFormation::Stack` with a local `Location`/`TemplateURL`). It prints the
resources of each stack and fails when one has more than `--limit` (default 400, a
margin under 500 for what a change adds before this check runs again).

    .venv/bin/python infra/local/check_template_size.py [--limit 400] [infra/template.yaml]
"""

import argparse
import logging
import os
import sys
from collections import Counter
from pathlib import Path

# The translator asks boto3 for a region (to fill AWS::Region and the partition); any
# will do offline.
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

PLACEHOLDER_BUCKET = "loket-template-size-check"
# The translator's metrics are for AWS's own use; unpublished, they only warn.
logging.getLogger("samtranslator").setLevel(logging.ERROR)


class NoManagedPolicies:
    """The managed-policy name → ARN map, which the real loader reads from IAM. Our
    policies are inline statements, so nothing needs looking up."""

    def load(self):
        return {}


def local_nested(props, key):
    """The local path of a nested stack (`stacks/x.yaml`), or None for a remote one."""
    value = props.get(key)
    if isinstance(value, str) and not value.startswith(("http://", "https://", "s3://")):
        return value
    return None


def prepare(template):
    """Replaces local artifact paths by the S3 locations `sam package` would write, and
    returns the nested stacks' local paths."""
    nested = []
    for resource in (template.get("Resources") or {}).values():
        kind = resource.get("Type")
        props = resource.get("Properties") or {}
        if kind == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/code.zip"
        elif kind == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            props["DefinitionUri"] = {"Bucket": PLACEHOLDER_BUCKET, "Key": props["DefinitionUri"]}
        elif kind == "AWS::Serverless::Application":
            path = local_nested(props, "Location")
            if path:
                nested.append(path)
                props["Location"] = f"https://{PLACEHOLDER_BUCKET}.s3.amazonaws.com/{path}"
        elif kind == "AWS::CloudFormation::Stack":
            path = local_nested(props, "TemplateURL")
            if path:
                nested.append(path)
                props["TemplateURL"] = f"https://{PLACEHOLDER_BUCKET}.s3.amazonaws.com/{path}"
    return nested


def expand(path):
    """The expanded resources of the template at `path`, and its nested templates."""
    template = yaml_parse(path.read_text())
    nested = [(path.parent / p).resolve() for p in prepare(template)]
    if "Transform" in template:
        template = transform(template, {}, NoManagedPolicies())
    return template.get("Resources") or {}, nested


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("template", nargs="?", default="infra/template.yaml")
    args = parser.parse_args()

    root = Path(args.template).resolve()
    base = Path.cwd()
    queue, seen, rows = [root], set(), []
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            resources, nested = expand(path)
        except Exception as e:  # the translator's errors name the resource
            print(f"[template size] {path}: cannot expand: {e}", file=sys.stderr)
            return 1
        queue.extend(nested)
        kinds = Counter(r.get("Type", "?") for r in resources.values())
        rows.append((os.path.relpath(path, base), len(resources), kinds))

    width = max(len(name) for name, _, _ in rows)
    print(f"[template size] CloudFormation resources per stack after the SAM transform (limit {args.limit}, CloudFormation's 500):")
    for name, count, kinds in rows:
        top = ", ".join(f"{n} {k.split('::')[-1]}" for k, n in kinds.most_common(5))
        print(f"  {name:<{width}}  {count:>4}   ({top})")
    total = sum(count for _, count, _ in rows)
    print(f"  {'all stacks':<{width}}  {total:>4}")
    over = [(name, count) for name, count, _ in rows if count > args.limit]
    for name, count in over:
        print(
            f"[template size] {name} has {count} resources, over the limit of {args.limit}: "
            "split the context's functions into another nested stack (docs/ARCHITECTURE.md, "
            "\"Template layout\")",
            file=sys.stderr,
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
