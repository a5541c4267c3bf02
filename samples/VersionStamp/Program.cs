System.Console.WriteLine("Hello from a build whose steps ran sandboxed.");
