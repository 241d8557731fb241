from pulumi_taxonomy.cli import main

main()
