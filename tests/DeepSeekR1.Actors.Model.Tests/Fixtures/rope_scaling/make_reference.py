#!/usr/bin/python3
"""Reference numbers for yarn and dynamic-NTK rotary embeddings, for RopeYarnReferenceTests.

An independent re-implementation, written for this fixture, of the published formulas as Hugging Face transformers
computes them (src/transformers/modeling_rope_utils.py: _compute_yarn_parameters and _compute_dynamic_ntk_parameters,
read at the 4.4x commit ef46806472a64b0013ed413781e3afed82bfa047 and at 5.x-era forks; models/deepseek_v3 for the
softmax mscale; DeepSeek's own modeling code for deepseek_v3 configs older than transformers' deepseek_v3). Nothing of
the C# code is used. Run with Debian's /usr/bin/python3 (python3-torch 1.13); deterministic.

Writes, next to this file:
  frequencies.json            per config variant: its config.json text, the inverse frequencies (float64), the cos/sin
                              attention factor, the softmax multiplier, and for dynamic the frequencies of passes of
                              several lengths.
  qwen2_yarn/                 a tiny random Qwen2 with Qwen2.5's yarn recipe (original = max_position_embeddings,
                              factor 4): config.json, model.safetensors (float32), reference.safetensors (float64 logits
                              of sequences reaching 2.5x past the original context).
  qwen2_dynamic/              a tiny random Qwen2 with dynamic NTK (factor 2 over 16 positions): float64 logits of a
                              28-token prefill and of a 10-token prefill followed by one token per step (KV cache).
  deepseek_v3_yarn/           a tiny random deepseek_v3 (latent attention, MoE) with DeepSeek-V3's yarn keys (factor 4,
                              mscale = mscale_all_dim = 1, original 16 of 64 positions): the same three files.
"""
import importlib.util
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("dsref", os.path.join(HERE, "..", "deepseek_v3", "make_reference.py"))
dsref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dsref)          # its safetensors writer, norms, MLPs and router (its own seed is reset below)


def get_mscale(scale, m=1.0):
    return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0


def version_tuple(text):
    if text is None:
        return None
    parts = text.split(".")
    return tuple(int("".join(ch for ch in p if ch.isdigit()) or 0) for p in parts[:3])


def yarn(cfg, dim):
    """(inv_freq, attention factor, softmax multiplier) of cfg's yarn rope_scaling, read as its version reads it."""
    rs, mpe, base = cfg["rope_scaling"], cfg["max_position_embeddings"], cfg["rope_theta"]
    version = version_tuple(cfg.get("transformers_version"))
    deepseek = cfg["model_type"] == "deepseek_v3"
    factor = rs["factor"]
    fast, slow = rs.get("beta_fast") or 32, rs.get("beta_slow") or 1
    truncate = True
    if deepseek and version < (4, 50):
        # DeepSeek's modeling code: factor as written, ramp over original, mscale ratio with defaults 1 and 0.
        context = rs["original_max_position_embeddings"]
        attention = get_mscale(factor, rs.get("mscale", 1)) / get_mscale(factor, rs.get("mscale_all_dim", 0))
    elif not deepseek and (4, 43) <= version < (4, 50):
        # transformers 4.43-4.49: ramp over max_position_embeddings, 0.1 ln(factor) + 1.
        context = mpe
        attention = rs.get("attention_factor") or 0.1 * math.log(factor) + 1.0
    else:
        # transformers 4.50 and later (where factor == max_position_embeddings / original, as these variants keep it).
        context = rs.get("original_max_position_embeddings") or mpe
        attention = rs.get("attention_factor")
        if attention is None:
            m, m_all = rs.get("mscale"), rs.get("mscale_all_dim")
            attention = get_mscale(factor, m) / get_mscale(factor, m_all) if m and m_all else get_mscale(factor)
        truncate = rs.get("truncate", True)

    def correction_dim(rotations):
        return dim * math.log(context / (rotations * 2 * math.pi)) / (2 * math.log(base))

    low, high = correction_dim(fast), correction_dim(slow)
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)
    if low == high:
        high += 0.001
    i = torch.arange(dim // 2, dtype=torch.float64)
    ramp = ((i - low) / (high - low)).clamp(0, 1)
    keep = 1.0 / base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    inv = keep / factor * ramp + keep * (1 - ramp)
    softmax = 1.0
    if deepseek and rs.get("mscale_all_dim"):
        softmax = get_mscale(factor, rs["mscale_all_dim"]) ** 2
    return inv, attention, softmax


def dynamic(cfg, dim, seq_len):
    """Dynamic NTK's inv_freq for a pass of seq_len positions (plain up to max_position_embeddings)."""
    mpe, factor = cfg["max_position_embeddings"], cfg["rope_scaling"]["factor"]
    n = max(seq_len, mpe)
    base = cfg["rope_theta"] * ((factor * n / mpe) - (factor - 1)) ** (dim / (dim - 2))
    return 1.0 / base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)


def llama_like(model_type, head_dim, heads, theta, mpe, rope_scaling, version):
    cfg = dict(architectures=["Qwen2ForCausalLM" if model_type == "qwen2" else "LlamaForCausalLM"], model_type=model_type,
               vocab_size=1000, hidden_size=head_dim * heads, intermediate_size=64, num_hidden_layers=1,
               num_attention_heads=heads, num_key_value_heads=heads, max_position_embeddings=mpe, rope_theta=theta,
               rms_norm_eps=1e-6, eos_token_id=1, rope_scaling=rope_scaling)
    if version is not None:
        cfg["transformers_version"] = version
    return cfg


def deepseek_like(rope_dim, theta, mpe, rope_scaling, version):
    cfg = dict(dsref.COMMON, q_lora_rank=16, rope_interleave=True, n_group=1, topk_group=1, first_k_dense_replace=1,
               norm_topk_prob=True, routed_scaling_factor=1.0, num_hidden_layers=2, qk_rope_head_dim=rope_dim,
               rope_theta=theta, max_position_embeddings=mpe, rope_scaling=rope_scaling, transformers_version=version)
    return cfg


QWEN25_YARN = {"factor": 4.0, "original_max_position_embeddings": 32768, "type": "yarn"}
DEEPSEEK_V3_YARN = {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
                    "original_max_position_embeddings": 4096, "type": "yarn"}

VARIANTS = {
    # Qwen2.5-7B-Instruct's config (transformers 4.43.1) with the long-context recipe of its model card.
    "qwen2.5_yarn_4.43": (llama_like("qwen2", 128, 28, 1000000.0, 32768, QWEN25_YARN, "4.43.1"), 128),
    # The same recipe as transformers 5 writes it, max_position_embeddings at the extended length.
    "qwen2.5_yarn_5.x": (llama_like("qwen2", 128, 28, 1000000.0, 131072, QWEN25_YARN, "5.1.0"), 128),
    # A ramp over a shorter original context: 4.43-4.49 place it over max_position_embeddings, 4.50+ over the original.
    "yarn_original_8192_4.45": (llama_like("llama", 64, 8, 10000.0, 32768,
                                           {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 8192}, "4.45.2"), 64),
    "yarn_original_8192_4.57": (llama_like("llama", 64, 8, 10000.0, 32768,
                                           {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 8192}, "4.57.1"), 64),
    # gpt-oss's keys: truncate false keeps the ramp's fractional ends; betas given.
    "yarn_truncate_false_4.55": (llama_like("llama", 64, 8, 150000.0, 131072,
                                            {"rope_type": "yarn", "factor": 32.0, "beta_fast": 32.0, "beta_slow": 1.0,
                                             "original_max_position_embeddings": 4096, "truncate": False}, "4.55.0"), 64),
    # An explicit attention factor and betas other than the paper's.
    "yarn_attention_factor_4.46": (llama_like("qwen2", 64, 8, 10000.0, 16384,
                                              {"type": "yarn", "factor": 2.0, "attention_factor": 0.8, "beta_fast": 16, "beta_slow": 2},
                                              "4.46.0"), 64),
    # DeepSeek-V3's own config (transformers_version 4.46.3: DeepSeek's modeling code) and as transformers 4.51 reads it.
    "deepseek_v3_yarn_4.46.3": (deepseek_like(64, 10000.0, 163840, DEEPSEEK_V3_YARN, "4.46.3"), 64),
    "deepseek_v3_yarn_4.51": (deepseek_like(64, 10000.0, 163840, DEEPSEEK_V3_YARN, "4.51.0"), 64),
    # DeepSeek-V2-Lite's mscale pair (0.707 both): attention factor 1, softmax (0.1 x 0.707 ln 40 + 1)^2.
    "deepseek_v2_lite_mscale_4.51": (deepseek_like(64, 10000.0, 163840, dict(DEEPSEEK_V3_YARN, mscale=0.707, mscale_all_dim=0.707), "4.51.0"), 64),
}

DYNAMIC = llama_like("llama", 128, 32, 10000.0, 4096, {"type": "dynamic", "factor": 2.0}, "4.40.0")
DYNAMIC_LENGTHS = [100, 4096, 4097, 6000, 8192]


def frequencies():
    out = {}
    for name, (cfg, dim) in VARIANTS.items():
        inv, attention, softmax = yarn(cfg, dim)
        out[name] = dict(config=json.dumps(cfg), inv_freq=inv.tolist(), attention_factor=attention, softmax_multiplier=softmax)
    out["llama_dynamic_2x"] = dict(config=json.dumps(DYNAMIC), lengths=DYNAMIC_LENGTHS,
                                   inv_freq=[dynamic(DYNAMIC, 128, n).tolist() for n in DYNAMIC_LENGTHS])
    with open(os.path.join(HERE, "frequencies.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def rotate_scaled(x, positions, inv, attention):
    """Rotate-half RoPE over the last dim with cos/sin multiplied by the yarn attention factor; inv is [d/2], or
    [T, d/2] when each position has its own frequencies."""
    angles = positions.to(torch.float64)[:, None] * (inv if inv.dim() == 2 else inv[None, :])
    cos, sin = torch.cat([angles, angles], -1).cos() * attention, torch.cat([angles, angles], -1).sin() * attention
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin


# ---- tiny Qwen2 with yarn -------------------------------------------------------------------------------------------

QWEN = dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", vocab_size=64, hidden_size=32, intermediate_size=48,
            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=16,
            rope_theta=50.0, rms_norm_eps=1e-6, tie_word_embeddings=False, hidden_act="silu", bos_token_id=None,
            eos_token_id=1, torch_dtype="float32", transformers_version="4.43.1",
            rope_scaling={"factor": 4.0, "original_max_position_embeddings": 16, "type": "yarn"})


def qwen_weights(cfg):
    h, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = h // heads
    w = {"model.embed_tokens.weight": torch.randn(cfg["vocab_size"], h), "model.norm.weight": 1 + 0.1 * torch.randn(h),
         "lm_head.weight": 0.2 * torch.randn(cfg["vocab_size"], h)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(h)
        w[p + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(h)
        for name, rows in (("q", heads * hd), ("k", kv * hd), ("v", kv * hd)):
            w[f"{p}self_attn.{name}_proj.weight"] = 0.3 * torch.randn(rows, h)
            w[f"{p}self_attn.{name}_proj.bias"] = 0.1 * torch.randn(rows)
        w[p + "self_attn.o_proj.weight"] = 0.2 * torch.randn(h, heads * hd)
        w[p + "mlp.gate_proj.weight"] = 0.2 * torch.randn(cfg["intermediate_size"], h)
        w[p + "mlp.up_proj.weight"] = 0.2 * torch.randn(cfg["intermediate_size"], h)
        w[p + "mlp.down_proj.weight"] = 0.2 * torch.randn(h, cfg["intermediate_size"])
    return w


def qwen_forward(ids, w, cfg, per_position_inv=None):
    """Qwen2ForCausalLM's eager forward for one sequence, in float64. per_position_inv (dynamic NTK): [T, d/2], the
    frequencies each position's query and key were rotated with (else cfg's yarn frequencies for all)."""
    h, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, t = h // heads, len(ids)
    if per_position_inv is None:
        inv, attention, _ = yarn(cfg, hd)
        inv = inv.expand(t, -1)
    else:
        inv, attention = per_position_inv, 1.0
    positions = torch.arange(t)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}.self_attn."
        a = dsref.rms_norm(x, w[f"model.layers.{i}.input_layernorm.weight"], cfg["rms_norm_eps"])
        q = (a @ w[p + "q_proj.weight"].T + w[p + "q_proj.bias"]).view(t, heads, hd).transpose(0, 1)
        k = (a @ w[p + "k_proj.weight"].T + w[p + "k_proj.bias"]).view(t, kv, hd).transpose(0, 1)
        v = (a @ w[p + "v_proj.weight"].T + w[p + "v_proj.bias"]).view(t, kv, hd).transpose(0, 1)
        q, k = rotate_scaled(q, positions, inv, attention), rotate_scaled(k, positions, inv, attention)
        k, v = k.repeat_interleave(heads // kv, 0), v.repeat_interleave(heads // kv, 0)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
        scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        x = x + (scores.softmax(-1) @ v).transpose(0, 1).reshape(t, h) @ w[p + "o_proj.weight"].T
        x = x + dsref.swiglu(dsref.rms_norm(x, w[f"model.layers.{i}.post_attention_layernorm.weight"], cfg["rms_norm_eps"]),
                             w, f"model.layers.{i}.mlp.")
    return dsref.rms_norm(x, w["model.norm.weight"], cfg["rms_norm_eps"]) @ w["lm_head.weight"].T


# ---- tiny Qwen2 with dynamic NTK ------------------------------------------------------------------------------------

QWEN_DYNAMIC = dict(QWEN, max_position_embeddings=16, transformers_version="4.46.0",
                    rope_scaling={"type": "dynamic", "factor": 2.0})
DYNAMIC_PREFILL = 10


def write_dynamic_case(sequence):
    """transformers' two results past max_position_embeddings: a prefill of all T tokens rotates every position with the
    frequencies of length T; a prefill of 10 then one token per step rotates position j with those of length j + 1
    (cached keys keep theirs). Position j's hidden states depend only on positions <= j, so the cached run is a causal
    forward in which each position has its own frequencies."""
    cfg, hd, t = QWEN_DYNAMIC, QWEN_DYNAMIC["hidden_size"] // QWEN_DYNAMIC["num_attention_heads"], len(sequence)
    w = qwen_weights(cfg)
    w64 = {k: v.double() for k, v in w.items()}
    prefill = dynamic(cfg, hd, t).expand(t, -1)
    cached = torch.stack([dynamic(cfg, hd, max(j + 1, DYNAMIC_PREFILL)) for j in range(t)])
    reference = {"input_ids.0": torch.tensor(sequence, dtype=torch.int64),
                 "logits.prefill": qwen_forward(sequence, w64, cfg, prefill),
                 "logits.cached": qwen_forward(sequence, w64, cfg, cached)}
    folder = os.path.join(HERE, "qwen2_dynamic")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    dsref.write_safetensors(os.path.join(folder, "model.safetensors"), w)
    dsref.write_safetensors(os.path.join(folder, "reference.safetensors"), reference)
    gap = (reference["logits.prefill"] - reference["logits.cached"]).abs().max().item()
    print(f"qwen2_dynamic: {t} tokens, prefill vs cached (past 16 positions) differ by up to {gap:.2e}")


# ---- tiny deepseek_v3 with yarn -------------------------------------------------------------------------------------

DEEPSEEK = dict(dsref.COMMON, q_lora_rank=16, rope_interleave=True, n_group=4, topk_group=2, first_k_dense_replace=1,
                norm_topk_prob=True, routed_scaling_factor=2.5, num_hidden_layers=2, rope_theta=50.0,
                max_position_embeddings=64, transformers_version="4.46.3",
                rope_scaling={"beta_fast": 32, "beta_slow": 1, "factor": 4, "mscale": 1.0, "mscale_all_dim": 1.0,
                              "original_max_position_embeddings": 16, "type": "yarn"})


def deepseek_attention(x, w, prefix, cfg):
    """DeepseekV3Attention under yarn: scaled cos/sin on the rotary parts, softmax scale times mscale^2."""
    t = x.shape[0]
    heads, nope, rope, vdim, rank = (cfg["num_attention_heads"], cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"],
                                     cfg["v_head_dim"], cfg["kv_lora_rank"])
    inv, attention, softmax = yarn(cfg, rope)
    qa = dsref.rms_norm(x @ w[prefix + "q_a_proj.weight"].T, w[prefix + "q_a_layernorm.weight"], 1e-6)
    q = (qa @ w[prefix + "q_b_proj.weight"].T).view(t, heads, nope + rope).transpose(0, 1)
    compressed = x @ w[prefix + "kv_a_proj_with_mqa.weight"].T
    latent = dsref.rms_norm(compressed[:, :rank], w[prefix + "kv_a_layernorm.weight"], 1e-6)
    kv = (latent @ w[prefix + "kv_b_proj.weight"].T).view(t, heads, nope + vdim).transpose(0, 1)

    def deinterleave(z):
        return torch.cat([z[..., 0::2], z[..., 1::2]], dim=-1)

    positions = torch.arange(t)
    q_rot = rotate_scaled(deinterleave(q[..., nope:]), positions, inv, attention)
    k_rot = rotate_scaled(deinterleave(compressed[:, rank:]), positions, inv, attention).unsqueeze(0).expand(heads, t, rope)
    query, key = torch.cat([q[..., :nope], q_rot], -1), torch.cat([kv[..., :nope], k_rot], -1)
    scores = query @ key.transpose(-1, -2) * (softmax / math.sqrt(nope + rope))
    scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
    out = scores.softmax(-1) @ kv[..., nope:]
    return out.transpose(0, 1).reshape(t, heads * vdim) @ w[prefix + "o_proj.weight"].T


def write_case(name, cfg, w, forward, sequences):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    w64 = {k: v.double() for k, v in w.items()}
    reference = {}
    for s, ids in enumerate(sequences):
        reference[f"input_ids.{s}"] = torch.tensor(ids, dtype=torch.int64)
        reference[f"logits.{s}"] = forward(ids, w64)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    dsref.write_safetensors(os.path.join(folder, "model.safetensors"), w)
    dsref.write_safetensors(os.path.join(folder, "reference.safetensors"), reference)
    print(f"{name}: {len(sequences)} sequences, longest {max(map(len, sequences))}")


def main():
    frequencies()
    torch.manual_seed(20261207)
    # Sequences reaching well past the 16-position original context (the yarn contexts are 64).
    sequences = [torch.randint(0, 64, (n,)).tolist() for n in (40, 23, 9)]
    write_case("qwen2_yarn", QWEN, qwen_weights(QWEN), lambda ids, w: qwen_forward(ids, w, QWEN), sequences)
    dsref.attention = deepseek_attention        # dsref.forward looks attention up by name
    w = dsref.weights(DEEPSEEK)
    margins = []
    write_case("deepseek_v3_yarn", DEEPSEEK, w, lambda ids, w64: dsref.forward(ids, w64, DEEPSEEK, margins), sequences)
    print(f"deepseek_v3_yarn: closest routing margin {min(margins):.2e}")
    write_dynamic_case(torch.randint(0, 64, (28,)).tolist())


if __name__ == "__main__":
    main()
