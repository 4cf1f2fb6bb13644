#!/usr/bin/python3
"""Tiny random DeepSeek-V3 checkpoints and their reference logits, for MlaReferenceTests.

An independent re-implementation, written for this fixture, of the forward pass that Hugging Face transformers'
src/transformers/models/deepseek_v3/modeling_deepseek_v3.py computes (DeepseekV3ForCausalLM with eager attention):
multi-head latent attention with the low-rank query, the compressed KV and the decoupled shared RoPE key,
rope_interleave, DeepseekV3RMSNorm's default epsilon in q_a_layernorm/kv_a_layernorm, the sigmoid router with
e_score_correction_bias used only for choosing, group-limited routing (n_group, topk_group, groups scored by the sum of
their top-2), norm_topk_prob, routed_scaling_factor, shared experts and first_k_dense_replace. Nothing of the C# code
is used. torch 1.13 (Debian's python3-torch) has no safetensors module, so the files are written by hand: an 8-byte
little-endian header length, a JSON header, raw little-endian data.

Run from this folder: /usr/bin/python3 make_reference.py   (deterministic: the seed is fixed)
Writes <case>/config.json, <case>/model.safetensors (float32 weights, Hugging Face names) and
<case>/reference.safetensors (input ids, float64 reference logits computed from those float32 weights, and the greedy
continuation of the first sequence computed by full recomputation).

/usr/bin/python3 make_reference.py --check CASE FOLDER   reads FOLDER's config.json and model.safetensors (for example
what `r1 model export` wrote after `r1 model import` of CASE) the way transformers' config and loader would, runs the
same forward, and prints the largest difference from CASE's reference logits.
"""
import json
import math
import os
import struct
import sys

import torch

torch.manual_seed(20261206)

CASES = {
    # Low-rank queries, interleaved rotary channels, group-limited routing, first layer dense.
    "mla_lowrank_q": dict(q_lora_rank=16, rope_interleave=True, n_group=4, topk_group=2, first_k_dense_replace=1,
                          norm_topk_prob=True, routed_scaling_factor=2.5, num_hidden_layers=3),
    # A plain q_proj, rotary channels in halves, no group limit, unnormalised gate weights, two dense layers.
    "mla_plain_q": dict(q_lora_rank=None, rope_interleave=False, n_group=1, topk_group=1, first_k_dense_replace=2,
                        norm_topk_prob=False, routed_scaling_factor=1.5, num_hidden_layers=3),
}

COMMON = dict(
    architectures=["DeepseekV3ForCausalLM"], model_type="deepseek_v3", vocab_size=64, hidden_size=32,
    intermediate_size=48, moe_intermediate_size=12, num_attention_heads=4, num_key_value_heads=4, n_shared_experts=1,
    n_routed_experts=8, num_experts_per_tok=2, kv_lora_rank=12, qk_nope_head_dim=8, qk_rope_head_dim=8, v_head_dim=6,
    hidden_act="silu", max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0, attention_bias=False,
    tie_word_embeddings=False, bos_token_id=0, eos_token_id=1, pad_token_id=2, scoring_func="sigmoid",
    topk_method="noaux_tc", num_nextn_predict_layers=0, torch_dtype="float32",
)

SEQUENCES = [[5, 17, 33, 2, 60, 41, 9], [12, 3, 3, 48, 27, 19, 55, 8, 30, 61, 7, 14], [40, 22, 11, 6, 59]]
GREEDY_STEPS = 8


def weights(cfg):
    """Random float32 weights under Hugging Face's names (std 0.2 so that logits and routing vary)."""
    h, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    qk = cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]
    w = {}

    def rnd(*shape, std=0.2):
        return torch.randn(*shape) * std

    def norm(n):
        return 1.0 + 0.1 * torch.randn(n)

    def mlp(prefix, inner):
        w[prefix + "gate_proj.weight"] = rnd(inner, h)
        w[prefix + "up_proj.weight"] = rnd(inner, h)
        w[prefix + "down_proj.weight"] = rnd(h, inner)

    w["model.embed_tokens.weight"] = rnd(cfg["vocab_size"], h, std=1.0)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm(h)
        w[p + "post_attention_layernorm.weight"] = norm(h)
        a = p + "self_attn."
        if cfg["q_lora_rank"] is None:
            w[a + "q_proj.weight"] = rnd(heads * qk, h)
        else:
            w[a + "q_a_proj.weight"] = rnd(cfg["q_lora_rank"], h)
            w[a + "q_a_layernorm.weight"] = norm(cfg["q_lora_rank"])
            w[a + "q_b_proj.weight"] = rnd(heads * qk, cfg["q_lora_rank"])
        w[a + "kv_a_proj_with_mqa.weight"] = rnd(cfg["kv_lora_rank"] + cfg["qk_rope_head_dim"], h)
        w[a + "kv_a_layernorm.weight"] = norm(cfg["kv_lora_rank"])
        w[a + "kv_b_proj.weight"] = rnd(heads * (cfg["qk_nope_head_dim"] + cfg["v_head_dim"]), cfg["kv_lora_rank"])
        w[a + "o_proj.weight"] = rnd(h, heads * cfg["v_head_dim"])
        if i >= cfg["first_k_dense_replace"]:
            m = p + "mlp."
            w[m + "gate.weight"] = rnd(cfg["n_routed_experts"], h, std=0.5)
            w[m + "gate.e_score_correction_bias"] = 0.3 * torch.randn(cfg["n_routed_experts"])
            for e in range(cfg["n_routed_experts"]):
                mlp(f"{m}experts.{e}.", cfg["moe_intermediate_size"])
            mlp(m + "shared_experts.", cfg["moe_intermediate_size"] * cfg["n_shared_experts"])
        else:
            mlp(p + "mlp.", cfg["intermediate_size"])
    w["model.norm.weight"] = norm(h)
    w["lm_head.weight"] = rnd(cfg["vocab_size"], h)
    return w


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def swiglu(x, w, prefix):
    gate = x @ w[prefix + "gate_proj.weight"].T
    return (torch.nn.functional.silu(gate) * (x @ w[prefix + "up_proj.weight"].T)) @ w[prefix + "down_proj.weight"].T


def rotate(x, positions, cfg):
    """RoPE in the rotate-half layout over the last dim (the rotary width), after de-interleaving when asked."""
    d = x.shape[-1]
    if cfg["rope_interleave"]:
        # (x0, x1, x2, x3, ...) -> (x0, x2, ..., x1, x3, ...): DeepSeek's pairs (2i, 2i+1) become (i, i + d/2).
        x = torch.cat([x[..., 0::2], x[..., 1::2]], dim=-1)
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    angles = positions.to(torch.float64)[:, None] * inv[None, :]
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()
    half = d // 2
    rotated_half = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated_half * sin


def attention(x, w, prefix, cfg):
    """x: (T, hidden) -> (T, hidden), causal, one sequence."""
    t = x.shape[0]
    heads, nope, rope, vdim = cfg["num_attention_heads"], cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
    rank = cfg["kv_lora_rank"]
    if cfg["q_lora_rank"] is None:
        q = x @ w[prefix + "q_proj.weight"].T
    else:
        qa = rms_norm(x @ w[prefix + "q_a_proj.weight"].T, w[prefix + "q_a_layernorm.weight"], 1e-6)
        q = qa @ w[prefix + "q_b_proj.weight"].T
    q = q.view(t, heads, nope + rope).transpose(0, 1)                       # (nh, T, nope + rope)
    compressed = x @ w[prefix + "kv_a_proj_with_mqa.weight"].T              # (T, rank + rope)
    latent = rms_norm(compressed[:, :rank], w[prefix + "kv_a_layernorm.weight"], 1e-6)
    kv = (latent @ w[prefix + "kv_b_proj.weight"].T).view(t, heads, nope + vdim).transpose(0, 1)
    positions = torch.arange(t)
    q_rot = rotate(q[..., nope:], positions, cfg)
    k_rot = rotate(compressed[:, rank:], positions, cfg).unsqueeze(0).expand(heads, t, rope)
    query = torch.cat([q[..., :nope], q_rot], -1)
    key = torch.cat([kv[..., :nope], k_rot], -1)
    value = kv[..., nope:]
    scores = query @ key.transpose(-1, -2) / math.sqrt(nope + rope)
    scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
    out = scores.softmax(-1) @ value                                        # (nh, T, v)
    return out.transpose(0, 1).reshape(t, heads * vdim) @ w[prefix + "o_proj.weight"].T


def moe(x, w, prefix, cfg, margins):
    n_exp, k = cfg["n_routed_experts"], cfg["num_experts_per_tok"]
    scores = (x @ w[prefix + "gate.weight"].T).sigmoid()                    # (T, E)
    choice = scores + w[prefix + "gate.e_score_correction_bias"]
    groups = cfg["n_group"]
    if groups > 1:
        per = n_exp // groups
        group_scores = choice.view(-1, groups, per).topk(2, dim=-1).values.sum(-1)
        ranked = group_scores.sort(-1, descending=True).values
        margins.append((ranked[:, cfg["topk_group"] - 1] - ranked[:, cfg["topk_group"]]).min().item())
        best = group_scores.topk(cfg["topk_group"], dim=-1).indices
        allowed = torch.zeros_like(group_scores, dtype=torch.bool).scatter(1, best, True)
        choice = choice.masked_fill(~allowed.repeat_interleave(per, dim=1), 0.0)
    ranked = choice.sort(-1, descending=True).values
    margins.append((ranked[:, k - 1] - ranked[:, k]).min().item())
    chosen = choice.topk(k, dim=-1).indices
    gate = scores.gather(1, chosen)
    if cfg["norm_topk_prob"]:
        gate = gate / (gate.sum(-1, keepdim=True) + 1e-20)
    gate = gate * cfg["routed_scaling_factor"]
    out = torch.zeros_like(x)
    for token in range(x.shape[0]):
        for slot in range(k):
            e = chosen[token, slot].item()
            out[token] += gate[token, slot] * swiglu(x[token:token + 1], w, f"{prefix}experts.{e}.")[0]
    return out + swiglu(x, w, prefix + "shared_experts.")


def forward(ids, w, cfg, margins):
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = x + attention(rms_norm(x, w[p + "input_layernorm.weight"], cfg["rms_norm_eps"]), w, p + "self_attn.", cfg)
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
        x = x + (moe(h, w, p + "mlp.", cfg, margins) if i >= cfg["first_k_dense_replace"] else swiglu(h, w, p + "mlp."))
    return rms_norm(x, w["model.norm.weight"], cfg["rms_norm_eps"]) @ w["lm_head.weight"].T


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dtype = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}[t.dtype]
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "BF16": torch.bfloat16}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[begin:end])
        tensors[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"]).clone()
    return tensors


def check(case, folder):
    """Largest |logits(FOLDER) - reference(CASE)|, with FOLDER's config keys read as transformers reads them."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    defaults = dict(rope_interleave=True, n_group=8, topk_group=4, rope_theta=10000.0, rms_norm_eps=1e-6)
    cfg = dict(defaults, **{k: v for k, v in cfg.items() if v is not None or k == "q_lora_rank"})
    assert cfg["model_type"] == "deepseek_v3" and cfg.get("num_nextn_predict_layers", 0) == 0
    w = {k: v.double() for k, v in read_safetensors(os.path.join(folder, "model.safetensors")).items()}
    here = os.path.dirname(os.path.abspath(__file__))
    reference = read_safetensors(os.path.join(here, case, "reference.safetensors"))
    worst = 0.0
    s = 0
    while f"input_ids.{s}" in reference:
        logits = forward(reference[f"input_ids.{s}"].tolist(), w, cfg, [])
        worst = max(worst, (logits - reference[f"logits.{s}"]).abs().max().item())
        s += 1
    print(f"{folder}: largest logit difference from {case}'s reference {worst:.2e}")
    return worst


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, overrides in CASES.items():
        cfg = dict(COMMON, **overrides)
        w = weights(cfg)
        w64 = {k: v.double() for k, v in w.items()}
        margins = []
        reference = {}
        for s, ids in enumerate(SEQUENCES):
            reference[f"input_ids.{s}"] = torch.tensor(ids, dtype=torch.int64)
            reference[f"logits.{s}"] = forward(ids, w64, cfg, margins)
        greedy = list(SEQUENCES[0])
        for _ in range(GREEDY_STEPS):
            logits = forward(greedy, w64, cfg, margins)
            ranked = logits[-1].sort(descending=True).values
            margins.append((ranked[0] - ranked[1]).item())
            greedy.append(int(logits[-1].argmax()))
        reference["greedy.0"] = torch.tensor(greedy[len(SEQUENCES[0]):], dtype=torch.int64)
        folder = os.path.join(here, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        write_safetensors(os.path.join(folder, "model.safetensors"), w)
        write_safetensors(os.path.join(folder, "reference.safetensors"), reference)
        # A choice decided by less than float32 can resolve would make the fixture fragile: report the closest call.
        print(f"{name}: closest routing/greedy margin {min(margins):.2e}; greedy {greedy[len(SEQUENCES[0]):]}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        sys.exit(0 if check(sys.argv[2], sys.argv[3]) < 1e-9 else 1)
    main()
