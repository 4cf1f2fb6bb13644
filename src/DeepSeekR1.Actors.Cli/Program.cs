Console.WriteLine("r1");
