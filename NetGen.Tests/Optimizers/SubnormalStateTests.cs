using NetGen.Optimizers;

namespace NetGen.Tests.Optimizers;

/// <summary>State that decays under zero gradients must reach exactly zero, never linger as subnormals (each of which
/// costs a microcode assist per update).</summary>
public class SubnormalStateTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void StateDecayingUnderZeroGradientsEndsAtZeroNotSubnormal(string kind)
    {
        // 37 elements: the vector loop and the scalar tail both run.
        const int n = 37;
        Optimizer opt = kind == "sgd" ? new Sgd(n, 0.1f, momentum: 0.9f) : new Adam(n, 1e-3f);
        var parameters = new float[n];
        var gradients = new float[n];
        Array.Fill(gradients, 1e-3f);
        opt.Step(parameters, gradients);
        Array.Clear(gradients);
        for (int s = 0; s < 2000; s++) opt.Step(parameters, gradients);

        foreach (var state in opt.State)
            foreach (float x in state.Values)
                Assert.False(float.IsSubnormal(x), $"{kind} {state.Name} holds the subnormal {x}");
        Assert.Contains(opt.State, st => st.Values.All(x => x == 0f));
    }
}
